/** `switchyard sim [--port 8021] [--password ClueCon] [--bert]`: the FreeSWITCH simulator, until Ctrl-C. */

import { Command, Option } from 'commander';
import { DEFAULT_PORT, listenPortArg, passwordOption } from './connect-options.js';
import { untilSignal } from './signals.js';

interface SimFlags {
  host: string;
  port: number;
  password: string;
  bert: boolean;
}

export function simCommand(): Command {
  return new Command('sim')
    .description('run the FreeSWITCH ESL simulator until Ctrl-C')
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').default(DEFAULT_PORT).argParser(listenPortArg))
    .option('--host <address>', 'address to listen on (0.0.0.0: every interface)', '127.0.0.1')
    .addOption(passwordOption())
    .option('--bert', 'load mod_bert (its bert_test application, on SIP legs)', false)
    .action(async (flags: SimFlags) => {
      const { startSimulator } = await import('../sim/index.js');
      const sim = await startSimulator({
        host: flags.host,
        port: flags.port,
        password: flags.password,
        modules: { bert: flags.bert },
      });
      // Listen for the signal before announcing the port: whoever waits for the
      // line may send SIGINT the moment it arrives.
      const stopped = untilSignal(['SIGINT', 'SIGTERM']);
      process.stdout.write(`switchyard sim listening on ${sim.host}:${sim.port}\n`);
      const signal = await stopped;
      process.stdout.write(`switchyard sim: ${signal}, closing\n`);
      await sim.close();
    });
}
