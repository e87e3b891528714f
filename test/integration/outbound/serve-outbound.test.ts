/**
 * Apps on outbound sessions: OutboundApps in process, then
 * `switchyard serve --outbound PORT --app FILE` as a user runs it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineApp } from '../../../src/app.js';
import { parseListen } from '../../../src/cli/serve-outbound.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { OutboundApps } from '../../../src/outbound/apps.js';
import { OutboundServer } from '../../../src/outbound/server.js';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { type CliSim, runCli, spawnCli, startCliSim } from '../cli/run-cli.js';

describe('OutboundApps', () => {
  let sim: Simulator;
  let server: OutboundServer;
  let apps: OutboundApps;
  afterEach(async () => {
    await server.close();
    await apps.unloadAll();
    await sim.close();
  });

  it('runs app callbacks from CHANNEL_DATA on, with the events myevents does not bring subscribed', async () => {
    sim = await startSimulator({ port: 0 });
    server = new OutboundServer({ port: 0 });
    apps = new OutboundApps(server);
    const seen: string[] = [];
    let finished!: () => void;
    const done = new Promise<void>((resolve) => {
      finished = resolve;
    });
    await apps.load(
      defineApp({
        name: 'Ivr',
        handlers: {
          CHANNEL_DATA: async (session) => {
            seen.push(`data ${session.get('Channel-Name')}`);
            await session.playback('tone_stream://%(50,0,440)');
            await session.hangup('NORMAL_CLEARING');
          },
          PLAYBACK_STOP: (_session, event) => {
            seen.push(`stop ${event.get('Playback-Status')}`);
          },
          CHANNEL_HANGUP_COMPLETE: (session, event) => {
            seen.push(`complete ${event.get('Hangup-Cause')} ${session.hungup}`);
            finished();
          },
        },
      }),
    );
    const { port } = await server.listen();
    const reply = await sim.api(`originate loopback/answer/switchyard '&socket(127.0.0.1:${port} async full)'`);
    expect(reply).toMatch(/^\+OK /);
    await done;
    expect(seen).toEqual(['data loopback/answer-a', 'stop done', 'complete NORMAL_CLEARING true']);
    expect(apps.names).toEqual(['Ivr']);
  });

  it('refuses an app whose setup needs a Client, and loads nothing', async () => {
    sim = await startSimulator({ port: 0 });
    server = new OutboundServer({ port: 0 });
    apps = new OutboundApps(server);
    const app = defineApp({
      name: 'NeedsClient',
      handlers: { CHANNEL_DATA: () => {} },
      setup: async (ctx) => {
        await ctx.client.cmd('status');
      },
    });
    const error = await apps.load(app).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(
      'app NeedsClient uses ctx.client, which outbound sessions do not have: serve it on an inbound listener',
    );
    expect(apps.names).toEqual([]);
  });
});

describe('parseListen', () => {
  it('takes PORT or HOST:PORT and refuses anything else', () => {
    expect(parseListen('8084')).toEqual({ host: '127.0.0.1', port: 8084 });
    expect(parseListen('0.0.0.0:9000')).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(() => parseListen('70000')).toThrow(InvalidArgumentError);
    expect(() => parseListen('host:')).toThrow('--outbound needs PORT or HOST:PORT, got "host:"');
  });
});

// A user's app for outbound calls: answers, says so, hangs up.
const APP = `export default {
  name: 'OutboundHello',
  handlers: {
    CHANNEL_DATA: async (session) => {
      await session.answer();
      process.stdout.write('connected ' + session.uuid + '\\n');
      await session.hangup('NORMAL_CLEARING');
    },
    CHANNEL_HANGUP_COMPLETE: (session, event) => {
      process.stdout.write('complete ' + session.uuid + ' ' + event.get('Hangup-Cause') + '\\n');
    },
  },
};
`;

describe('switchyard serve --outbound', () => {
  let dir: string;
  let cliSim: CliSim;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-outbound-'));
    await writeFile(join(dir, 'hello.mjs'), APP);
    cliSim = await startCliSim();
  });
  afterAll(async () => {
    await cliSim?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the app on calls handed over by the socket application until SIGINT', async () => {
    const serve = spawnCli(['serve', '--outbound', '0', '--app', join(dir, 'hello.mjs')]);
    const line = await lineOf(serve);
    expect(line).toMatch(/^serving OutboundHello on outbound 127\.0\.0\.1:\d+ \(Ctrl-C to stop\)\n/);
    const where = `${cliSim.host}:${cliSim.port}`;
    const outboundPort = /outbound 127\.0\.0\.1:(\d+)/.exec(line)![1]!;
    const call = await runCli(['api', where, 'originate', 'loopback/answer/switchyard', `'&socket(127.0.0.1:${outboundPort} async full)'`]);
    expect(call.code).toBe(0);
    const uuid = /^\+OK ([0-9a-f-]{36})\n$/.exec(call.stdout)?.[1];
    expect(uuid).toBeDefined();
    await serve.waitFor('stdout', new RegExp(`connected ${uuid}\\ncomplete ${uuid} NORMAL_CLEARING\\n`));
    serve.signal('SIGINT');
    const r = await serve.exited;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/SIGINT: closing\n$/);
  });

  it('refuses --outbound with a HOST, in one line', async () => {
    const r = await runCli(['serve', '127.0.0.1', '--outbound', '8084', '--app', join(dir, 'hello.mjs')]);
    expect(r).toMatchObject({ code: 1, stderr: 'switchyard: serve --outbound takes no HOST or --sim: FreeSWITCH connects to it\n' });
  });
});

/** Stdout once it names the outbound port (spawnCli's waitFor hands the text to the pattern). */
async function lineOf(serve: ReturnType<typeof spawnCli>): Promise<string> {
  let text = '';
  await serve.waitFor('stdout', {
    test: (s: string) => {
      text = s;
      return /outbound 127\.0\.0\.1:\d+/.test(s);
    },
  } as RegExp);
  return text;
}
