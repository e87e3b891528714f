import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('switchyard repl', () => {
  it('connects to an embedded simulator and evaluates with top-level await, client and pool in scope', async () => {
    const input = [
      "(await client.api('version')).split(' ').slice(0, 2).join(' ')",
      'pool.size',
      "typeof listener.connected + ':' + listener.connected",
      'typeof switchyard.Client',
      '.exit',
    ].join('\n');
    const r = await runCli(['repl', '--sim', '--no-history'], {}, `${input}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^connected to 127\.0\.0\.1:\d+; in scope: client, listener, pool, switchyard\n/);
    // Piped lines are all read at once, so the awaited result prints after the synchronous ones.
    const results = r.stdout.split('switchyard> ').slice(1).map((s) => s.trim());
    expect(results.sort()).toEqual(['', "'FreeSWITCH Version'", "'boolean:true'", "'function'", '1']);
  });

  it('starts without a host, with the API in scope', async () => {
    const r = await runCli(['repl', '--no-history'], {}, 'typeof client + typeof switchyard.Pool\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no host: in scope: switchyard');
    expect(r.stdout).toContain("'undefinedfunction'");
  });

  it('fails in one line when the host refuses', async () => {
    const r = await runCli(['repl', '127.0.0.1:1', '--no-history'], {}, '');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^switchyard: [^\n]*127\.0\.0\.1:1[^\n]*\n$/);
  });
});
