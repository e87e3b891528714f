import { describe, expect, it } from 'vitest';
import { runCli, startCliSim } from './run-cli.js';

describe('switchyard sim', () => {
  it.each([
    [['--bert'], 'true'],
    [[], 'false'],
  ])('with %j loads mod_bert: module_exists says %s', async (args, exists) => {
    const sim = await startCliSim(args);
    try {
      const r = await runCli(['api', `${sim.host}:${sim.port}`, 'module_exists', 'mod_bert']);
      expect(r).toMatchObject({ code: 0, stdout: `${exists}\n` });
    } finally {
      const done = await sim.stop();
      expect(done.code).toBe(0);
    }
  });
});
