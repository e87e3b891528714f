/**
 * The FreeSWITCH configuration in docker/freeswitch/conf, checked the way
 * FreeSWITCH will read it: every file well-formed, the tree assembled by the
 * preprocessor model (includes, variables, environment), then each module's
 * view of the result. Docker cannot run in CI, so this is what stands between
 * an edit and a FreeSWITCH that starts without its Event Socket.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import {
  aclLists,
  configuration,
  configurationNames,
  dialplanContexts,
  params,
  parseDocument,
  route,
  sofiaProfiles,
  type XmlNode,
} from './freeswitch-xml.js';
import { preprocess } from './preprocess.js';

const confDir = fileURLToPath(new URL('../../docker/freeswitch/conf/', import.meta.url));
const composeFile = fileURLToPath(new URL('../../docker/compose.yml', import.meta.url));

// What FreeSWITCH knows before it reads freeswitch.xml (switch_core.c); the
// address is from TEST-NET-1 so that it can never be mistaken for a real one.
const coreVars = { local_ip_v4: '192.0.2.10', hostname: 'fs-test', conf_dir: '/etc/freeswitch' };

const ALLOWED_MODULES = [
  'mod_console',
  'mod_dialplan_xml',
  'mod_dptools',
  'mod_event_socket',
  'mod_logfile',
  'mod_loopback',
  'mod_native_file',
  'mod_sndfile',
  'mod_sofia',
  'mod_tone_stream',
  'mod_commands',
].sort();

// Modules that refuse to start, or start with nothing to do, without their
// configuration (switch_xml_open_cfg in each module's load function).
const MODULE_CONFIG: Record<string, string> = {
  mod_console: 'console.conf',
  mod_logfile: 'logfile.conf',
  mod_event_socket: 'event_socket.conf',
  mod_sofia: 'sofia.conf',
};

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

function assemble(env: Record<string, string> = {}) {
  const result = preprocess(join(confDir, 'freeswitch.xml'), { coreVars, env });
  return { ...result, doc: parseDocument(result.text) };
}

function modules(doc: XmlNode): string[] {
  const mods = configuration(doc, 'modules.conf');
  const list = (mods.modules as XmlNode[] | undefined)?.[0];
  return ((list?.load as XmlNode[] | undefined) ?? []).map((l) => String(l.module));
}

describe('docker/freeswitch/conf files', () => {
  const files = listFiles(confDir);

  it('is exactly the expected tree', () => {
    expect(files.map((f) => relative(confDir, f))).toEqual([
      'autoload_configs/acl.conf.xml',
      'autoload_configs/console.conf.xml',
      'autoload_configs/event_socket.conf.xml',
      'autoload_configs/logfile.conf.xml',
      'autoload_configs/modules.conf.xml',
      'autoload_configs/sofia.conf.xml',
      'autoload_configs/switch.conf.xml',
      'autoload_configs/timezones.conf.xml',
      'dialplan/switchyard.xml',
      'freeswitch.xml',
      'sip_profiles/loop.xml',
      'sip_profiles/switchyard.xml',
      'vars.xml',
    ]);
  });

  it.each(files.map((f) => [relative(confDir, f), f]))('%s is well-formed XML', (_name, file) => {
    expect(XMLValidator.validate(readFileSync(file!, 'utf8'))).toBe(true);
  });

  it('never mentions a NAT discovery (STUN) server', () => {
    const offenders = files.filter((f) => /stun/i.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});

describe('the assembled configuration', () => {
  it('reads every file of the tree through includes, vars.xml first', () => {
    const { files } = assemble();
    expect(files[0]).toBe(join(confDir, 'freeswitch.xml'));
    expect(files[1]).toBe(join(confDir, 'vars.xml'));
    expect([...files].sort()).toEqual(listFiles(confDir));
  });

  it('is one well-formed document with the configuration and dialplan sections', () => {
    const { text, doc } = assemble();
    expect(XMLValidator.validate(text)).toBe(true);
    expect((doc.section as XmlNode[]).map((s) => s.name)).toEqual(['configuration', 'dialplan']);
    expect(configurationNames(doc)).toEqual([
      'acl.conf',
      'console.conf',
      'event_socket.conf',
      'logfile.conf',
      'modules.conf',
      'sofia.conf',
      'switch.conf',
      'timezones.conf',
    ]);
  });

  it('loads exactly the modules switchyard needs, each with its configuration', () => {
    const { doc } = assemble();
    const loaded = modules(doc);
    expect([...loaded].sort()).toEqual(ALLOWED_MODULES);
    expect(new Set(loaded).size).toBe(loaded.length);
    const names = configurationNames(doc);
    for (const [mod, conf] of Object.entries(MODULE_CONFIG)) {
      expect(loaded, mod).toContain(mod);
      expect(names, `${mod} needs ${conf}`).toContain(conf);
    }
  });

  it('serves the Event Socket on 8021 for every interface, password ClueCon, behind its ACL', () => {
    const { doc } = assemble();
    expect(params(configuration(doc, 'event_socket.conf'))).toEqual({
      'listen-ip': '0.0.0.0',
      'listen-port': '8021',
      password: 'ClueCon',
      'apply-inbound-acl': 'switchyard_peers',
      'nat-map': 'false',
    });
    const peers = aclLists(doc).find((l) => l.name === 'switchyard_peers');
    expect(peers).toEqual({
      name: 'switchyard_peers',
      default: 'deny',
      nodes: [
        { type: 'allow', cidr: '127.0.0.0/8' },
        { type: 'allow', cidr: '10.0.0.0/8' },
        { type: 'allow', cidr: '172.16.0.0/12' },
        { type: 'allow', cidr: '192.168.0.0/16' },
        { type: 'allow', cidr: '192.0.2.10/32' },
        { type: 'allow', cidr: '127.0.0.1/32' },
      ],
    });
  });

  it('takes the password, external address and extra network from the environment', () => {
    const { doc } = assemble({
      ESL_PASSWORD: 's3cret-Pass',
      SWITCHYARD_EXTERNAL_IP: '203.0.113.7',
      SWITCHYARD_ALLOW_CIDR: '198.51.100.0/24',
    });
    expect(params(configuration(doc, 'event_socket.conf')).password).toBe('s3cret-Pass');
    const switchyard = sofiaProfiles(doc).find((p) => p.name === 'switchyard')!;
    expect([switchyard.settings['ext-sip-ip'], switchyard.settings['ext-rtp-ip']]).toEqual([
      '203.0.113.7',
      '203.0.113.7',
    ]);
    const peers = aclLists(doc).find((l) => l.name === 'switchyard_peers')!;
    expect(peers.nodes.at(-1)).toEqual({ type: 'allow', cidr: '198.51.100.0/24' });
  });

  it('keeps the defaults when the variables are set but empty', () => {
    const { doc, vars } = assemble({ ESL_PASSWORD: '', SWITCHYARD_EXTERNAL_IP: '', SWITCHYARD_ALLOW_CIDR: '' });
    expect(params(configuration(doc, 'event_socket.conf')).password).toBe('ClueCon');
    expect(vars.get('external_sip_ip')).toBe('192.0.2.10');
    expect(vars.get('external_rtp_ip')).toBe('192.0.2.10');
    expect(vars.get('switchyard_allow_cidr')).toBe('127.0.0.1/32');
  });

  it('defines the ACL sofia treats as local, loopback included', () => {
    const { doc } = assemble();
    expect(aclLists(doc).find((l) => l.name === 'switchyard_local')).toEqual({
      name: 'switchyard_local',
      default: 'deny',
      nodes: [
        { type: 'allow', cidr: '127.0.0.0/8' },
        { type: 'allow', cidr: '10.0.0.0/8' },
        { type: 'allow', cidr: '172.16.0.0/12' },
        { type: 'allow', cidr: '192.168.0.0/16' },
      ],
    });
  });

  it('is tuned for load: 1000 sessions per second, 10000 sessions, warnings only', () => {
    const { doc } = assemble();
    const core = params(configuration(doc, 'switch.conf'));
    expect(Number(core['sessions-per-second'])).toBeGreaterThanOrEqual(500);
    expect(core['sessions-per-second']).toBe('1000');
    expect(core['max-sessions']).toBe('10000');
    expect(core.loglevel).toBe('warning');
    expect([core['rtp-start-port'], core['rtp-end-port']]).toEqual(['16384', '32768']);
    expect(params(configuration(doc, 'console.conf')).loglevel).toBe('warning');
  });
});

describe('SIP profiles', () => {
  it('are switchyard on this host:5080 and loop on 127.0.0.1:5090, both into the switchyard context', () => {
    const { doc } = assemble();
    const summary = sofiaProfiles(doc).map((p) => ({
      name: p.name,
      sipIp: p.settings['sip-ip'],
      rtpIp: p.settings['rtp-ip'],
      port: p.settings['sip-port'],
      context: p.settings.context,
      dialplan: p.settings.dialplan,
      authCalls: p.settings['auth-calls'],
    }));
    expect(summary).toEqual([
      { name: 'loop', sipIp: '127.0.0.1', rtpIp: '127.0.0.1', port: '5090', context: 'switchyard', dialplan: 'XML', authCalls: 'false' },
      { name: 'switchyard', sipIp: '192.0.2.10', rtpIp: '192.0.2.10', port: '5080', context: 'switchyard', dialplan: 'XML', authCalls: 'false' },
    ]);
  });

  it("send calls only into dialplan contexts that exist", () => {
    const { doc } = assemble();
    const contexts = dialplanContexts(doc);
    for (const p of sofiaProfiles(doc)) expect([...contexts.keys()], p.name).toContain(p.settings.context);
  });

  it('use ports that clash neither with each other, the Event Socket nor the RTP range', () => {
    const { doc } = assemble();
    const core = params(configuration(doc, 'switch.conf'));
    const rtp = [Number(core['rtp-start-port']), Number(core['rtp-end-port'])] as const;
    const esl = Number(params(configuration(doc, 'event_socket.conf'))['listen-port']);
    const ports = sofiaProfiles(doc).map((p) => Number(p.settings['sip-port']));
    expect(new Set([...ports, esl]).size).toBe(ports.length + 1);
    for (const port of ports) expect(port < rtp[0] || port > rtp[1], `port ${port}`).toBe(true);
  });

  it('advertise literal addresses only, never a lookup', () => {
    const { doc } = assemble();
    const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
    for (const p of sofiaProfiles(doc)) {
      for (const key of ['sip-ip', 'rtp-ip', 'ext-sip-ip', 'ext-rtp-ip']) {
        const value = p.settings[key];
        if (value === undefined) continue;
        expect(value, `${p.name} ${key}`).toMatch(ipv4);
      }
    }
    const switchyard = sofiaProfiles(doc).find((p) => p.name === 'switchyard')!;
    expect(switchyard.settings['local-network-acl']).toBe('switchyard_local');
    expect(switchyard.settings['apply-inbound-acl']).toBe('switchyard_peers');
    const names = aclLists(doc).map((l) => l.name);
    expect(names).toEqual(['switchyard_peers', 'switchyard_local']);
  });
});

describe('the SIP self-call loop (docker/README.md, test/e2e)', () => {
  it.each([
    ['sofia/switchyard/park@127.0.0.1:5090', 'park', ['park']],
    ['sofia/switchyard/echo@127.0.0.1:5090', 'echo', ['answer', 'echo']],
  ])('%s leaves through a profile and lands in a context that runs %s', (dest, extension, apps) => {
    const { doc } = assemble();
    const m = /^sofia\/([^/]+)\/([^@]+)@([^:]+):(\d+)$/.exec(dest)!;
    const [, via, user, host, port] = m;
    const profiles = sofiaProfiles(doc);
    expect(profiles.map((p) => p.name)).toContain(via);
    const far = profiles.find((p) => p.settings['sip-ip'] === host && p.settings['sip-port'] === port);
    expect(far?.name).toBe('loop');
    expect(far?.name).not.toBe(via);
    const ext = route(dialplanContexts(doc).get(far!.settings.context!)!, user!);
    expect(ext?.name).toBe(extension);
    expect(ext?.actions.map(([app]) => app)).toEqual(apps);
  });
});

describe('the switchyard dialplan context', () => {
  const expected = [
    { name: 'park', field: 'destination_number', expression: '^park$', actions: [['park', '']] },
    { name: 'answer', field: 'destination_number', expression: '^answer$', actions: [['answer', ''], ['park', '']] },
    { name: 'echo', field: 'destination_number', expression: '^echo$', actions: [['answer', ''], ['echo', '']] },
    { name: 'busy', field: 'destination_number', expression: '^busy$', actions: [['respond', '486']] },
    { name: 'ringing', field: 'destination_number', expression: '^ringing$', actions: [['ring_ready', ''], ['park', '']] },
    {
      name: 'early',
      field: 'destination_number',
      expression: '^early$',
      actions: [
        ['pre_answer', ''],
        ['playback', 'tone_stream://%(2000,4000,440,480);loops=-1'],
        ['park', ''],
      ],
    },
    {
      name: 'socket',
      field: 'destination_number',
      expression: '^socket$',
      actions: [['socket', '127.0.0.1:8084 async full']],
    },
    { name: 'catchall', field: 'destination_number', expression: '^.*$', actions: [['park', '']] },
  ];

  it('has the extensions of the reference recordings, in order', () => {
    const { doc } = assemble();
    expect(dialplanContexts(doc).get('switchyard')).toEqual(expected);
  });

  it.each([
    ['park', 'park', ['park']],
    ['answer', 'answer', ['answer', 'park']],
    ['echo', 'echo', ['answer', 'echo']],
    ['busy', 'busy', ['respond']],
    ['ringing', 'ringing', ['ring_ready', 'park']],
    ['early', 'early', ['pre_answer', 'playback', 'park']],
    ['socket', 'socket', ['socket']],
    ['1000', 'catchall', ['park']],
    ['parked', 'catchall', ['park']],
    ['answer-me', 'catchall', ['park']],
    ['', 'catchall', ['park']],
  ])('routes destination %j to %s', (destination, extension, apps) => {
    const { doc } = assemble();
    const ext = route(dialplanContexts(doc).get('switchyard')!, destination);
    expect(ext?.name).toBe(extension);
    expect(ext?.actions.map(([app]) => app)).toEqual(apps);
  });
});

describe('docker/compose.yml', () => {
  const compose = readFileSync(composeFile, 'utf8');

  it('mounts this configuration read-only at the image conf path, on the host network', () => {
    expect(compose).toMatch(/^\s+image: safarov\/freeswitch:1\.10\.12$/m);
    expect(compose).toMatch(/^\s+- \.\/freeswitch\/conf:\/etc\/freeswitch:ro$/m);
    expect(compose).toMatch(/^\s+network_mode: host$/m);
  });

  it('passes the variables vars.xml reads', () => {
    for (const name of ['ESL_PASSWORD', 'SWITCHYARD_EXTERNAL_IP', 'SWITCHYARD_ALLOW_CIDR']) {
      expect(compose, name).toMatch(new RegExp(`^\\s+- ${name}$`, 'm'));
      expect(readFileSync(join(confDir, 'vars.xml'), 'utf8'), name).toContain(`printenv ${name} | grep .`);
    }
  });

  it('health-checks over the Event Socket with the configured password', () => {
    expect(compose).toContain('fs_cli -H 127.0.0.1 -P 8021 -p "$${ESL_PASSWORD:-ClueCon}" -x status');
  });
});

describe('the preprocessor model catches broken trees', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function tree(files: Record<string, string>): string {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-fsconf-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return join(dir, 'freeswitch.xml');
  }

  const main = (body: string) => `<?xml version="1.0"?>\n<document type="freeswitch/xml">\n${body}\n</document>\n`;

  it('refuses an include that matches nothing', () => {
    const file = tree({ 'freeswitch.xml': main('  <X-PRE-PROCESS cmd="include" data="missing/*.xml"/>') });
    expect(() => preprocess(file, { coreVars, env: {} })).toThrow('include "missing/*.xml" matches no file');
  });

  it('refuses a variable used before it is set', () => {
    const file = tree({ 'freeswitch.xml': main('  <section name="x" description="$${nope}"/>') });
    expect(() => preprocess(file, { coreVars, env: {} })).toThrow('$${nope} is not defined before use');
  });

  it('refuses a NAT lookup directive', () => {
    const line = '  <X-PRE-PROCESS cmd="stun-set" data="external_rtp_ip=host:example.org"/>';
    const file = tree({ 'freeswitch.xml': main(line) });
    expect(() => preprocess(file, { coreVars, env: {} })).toThrow('preprocessor command "stun-set" is not allowed');
  });

  it('drops a comment line naming the directive, as FreeSWITCH does, leaving broken XML', () => {
    const body = '  <!-- the X-PRE-PROCESS lines below\n       as in <param name="x" value="y"> -->\n  <section name="configuration"/>';
    const { text } = preprocess(tree({ 'freeswitch.xml': main(body) }), { coreVars, env: {} });
    expect(text).not.toContain('<!-- the');
    expect(XMLValidator.validate(text)).not.toBe(true);
  });
});
