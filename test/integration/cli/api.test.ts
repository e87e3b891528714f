import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliSim, runCli, startCliSim } from './run-cli.js';

describe('switchyard sim + api', () => {
  let sim: CliSim;
  let where: string;
  beforeAll(async () => {
    sim = await startCliSim(['--password', 'secret']);
    where = `${sim.host}:${sim.port}`;
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('prints the body of a successful api command and exits 0', async () => {
    const r = await runCli(['api', where, 'version', '--password', 'secret']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^FreeSWITCH Version 1\.\d+\.\d+\S* \(.*\)\n$/);
  });

  it('takes the password from ESL_PASSWORD', async () => {
    const r = await runCli(['api', where, 'status'], { ESL_PASSWORD: 'secret' });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^UP \d+ years?, /);
  });

  it('treats an empty reply as FreeSWITCH does: -ERR no reply, exit 1', async () => {
    const r = await runCli(['api', where, 'global_getvar', 'switchyard_cli_unset', '--password', 'secret']);
    expect(r).toMatchObject({ code: 1, stderr: '', stdout: '-ERR no reply\n' });
  });

  it('prints -ERR and exits 1', async () => {
    const r = await runCli(['api', where, 'no_such_command', 'x', '--password', 'secret']);
    expect(r).toMatchObject({ code: 1, stderr: '', stdout: '-ERR no_such_command Command not found!\n' });
  });

  it('reports a wrong password in one line with exit 1', async () => {
    const r = await runCli(['api', where, 'status', '--password', 'wrong']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^switchyard: [^\n]*\n$/);
    expect(r.stderr).toMatch(/auth|password|invalid/i);
  });

  it('reports a host nobody listens on in one line with exit 1', async () => {
    const r = await runCli(['api', '127.0.0.1:1', 'status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^switchyard: [^\n]*127\.0\.0\.1:1[^\n]*\n$/);
  });

  it('rejects a malformed HOST and a missing command', async () => {
    expect(await runCli(['api', 'fs1:99999', 'status'])).toMatchObject({
      code: 1,
      stderr: 'switchyard: bad HOST "fs1:99999": port must be 1-65535\n',
    });
    expect(await runCli(['api', where])).toMatchObject({
      code: 1,
      stderr: 'switchyard: api needs a command, e.g. switchyard api HOST status\n',
    });
  });

  it('runs against an embedded simulator with --sim', async () => {
    const r = await runCli(['api', '--sim', 'status']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^UP /);
  });

  it('stops the simulator on SIGINT with exit 0', async () => {
    const other = await startCliSim();
    const r = await other.stop();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/listening on [^\n]+\nswitchyard sim: SIGINT, closing\n$/);
  });
});

describe('switchyard api --timeout', () => {
  it('gives up on a server that accepts the password and never answers the api', async () => {
    // A stand-in for an api that blocks FreeSWITCH's socket thread (originate waiting for an answer).
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.write('Content-Type: auth/request\n\n');
      socket.once('data', () => socket.write('Content-Type: command/reply\nReply-Text: +OK accepted\n\n'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const r = await runCli(['api', `127.0.0.1:${port}`, 'status', '--timeout', '300ms']);
      expect(r).toMatchObject({ code: 1, stdout: '', stderr: 'switchyard: no reply to "status" within 300 ms\n' });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
