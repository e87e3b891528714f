import { describe, expect, it } from 'vitest';
import { FakeFreeSwitch } from './fake-fs.js';
import { capturingLogger, connected, connection, echoServer, next } from './helpers.js';

const SECRET = 'S3cr3t-Pa55';

describe('Connection: logging', () => {
  it('never logs the password, even at trace level with every command logged', async () => {
    const { logger, lines } = capturingLogger('trace');
    const fake = new FakeFreeSwitch({ password: SECRET });
    fake.onLink(echoServer);
    const { conn } = await connected({ password: SECRET, logger }, fake);
    await conn.api('status');
    await conn.close();

    const wrong = connection(new FakeFreeSwitch({ password: SECRET }), { password: `${SECRET}-nope`, logger });
    await expect(wrong.connect()).rejects.toMatchObject({ code: 'ESL_ERR_AUTH' });

    const user = new FakeFreeSwitch({ autoAuth: false });
    const viaUser = connection(user, { user: '1000@default', password: SECRET, logger, connectTimeoutMs: 200 });
    const pending = viaUser.connect();
    const link = await user.link(0);
    link.frame({ 'Content-Type': 'auth/request' });
    await link.commands(1);
    link.reply('-ERR invalid');
    await expect(pending).rejects.toMatchObject({ code: 'ESL_ERR_AUTH' });

    const text = lines.join('');
    expect(text).toContain('"command":"auth ***"');
    expect(text).toContain('"command":"userauth 1000@default:***"');
    expect(text).toContain('"command":"api status"');
    expect(text).not.toContain(SECRET);
    // every line is bound to the server it is about
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ host: '127.0.0.1', port: 8021 });
  });

  it('logs lagging as a warning with the backlog', async () => {
    const { logger, lines } = capturingLogger('warn');
    const { conn, link } = await connected({ logger, lagThreshold: 10 });
    echoServer(link);
    conn.on('event', () => undefined);
    const lagging = next(conn, 'lagging');
    let burst = '';
    for (let i = 0; i < 20; i++) {
      const plain = 'Event-Name: HEARTBEAT\n\n';
      burst += `Content-Length: ${plain.length}\nContent-Type: text/event-plain\n\n${plain}`;
    }
    link.write(burst);
    expect(await lagging).toEqual({ backlog: 10 });
    const warning = lines.map((l) => JSON.parse(l)).find((l) => l.backlog === 10);
    expect(warning).toMatchObject({ level: 40, msg: 'event handlers are falling behind FreeSWITCH: 10 frames waiting' });
    await conn.close();
  });
});
