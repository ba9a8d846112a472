import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../src/agent/config/vars.js';
import { AGENT_VERSION } from '../../src/agent/config/version.js';
import { berthEnv, runBerth } from '../kit/run-berth.js';

const oneLine = (s: string): boolean => s.trim() !== '' && !s.trim().includes('\n');

t.test('berth --help lists the commands and exits 0', async (t) => {
  const res = await runBerth(['--help']);
  t.equal(res.code, 0);
  for (const cmd of ['berth agent', 'berth emulator', 'berth up', 'berth version']) t.match(res.stdout, cmd);
  t.match(res.stdout, /Exit codes: 0 clean, 1 transient/);
});

t.test('berth agent --help documents every flag and every variable the agent honours', async (t) => {
  const res = await runBerth(['agent', '--help']);
  t.equal(res.code, 0);
  for (const flag of ['--healthcheck', '--config', '--print-config', '--version', '--log-level', '--pretty', '--json', '--help']) {
    t.match(res.stdout, flag, `documents ${flag}`);
  }
  const missing = CONFIG_VARIABLES.filter((v) => !new RegExp(`^  ${v.name} `, 'm').test(res.stdout)).map((v) => v.name);
  t.same(missing, [], 'one line per variable of the registry');
  t.match(res.stdout, /ECS_CLUSTER +cluster to join .*\(default: default\)/);
  t.same((await runBerth(['help', 'agent'])).stdout, res.stdout, 'berth help agent says the same');
});

t.test('berth emulator --help and berth up --help document their flags', async (t) => {
  const [emulator, up] = await Promise.all([runBerth(['emulator', '--help']), runBerth(['up', '-h'])]);
  t.equal(emulator.code, 0);
  const vpcFlags = ['--vpc-cidr', '--vpc-subnet-id', '--vpc-bridge', '--vpc-veth-prefix', '--vpc-domain'];
  for (const flag of ['--port', '--host', '--data-dir', '--region', '--pretty', ...vpcFlags]) t.match(emulator.stdout, flag);
  t.equal(up.code, 0);
  for (const flag of ['--port', '--data-dir', '--cluster', '--region', '--log-level', ...vpcFlags]) t.match(up.stdout, flag);
  t.match(up.stdout, /ECS_ENABLE_TASK_ENI=true/, 'says the agent opts in to awsvpc with a VPC');
});

t.test('a bad --vpc-cidr or VPC name is one clear line and exit 2, before anything is started', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['up', '--vpc-cidr', '10.213.0.0'], /^berth up: --vpc-cidr '10\.213\.0\.0': expected an IPv4 network like 10\.213\.0\.0\/24 \(see 'berth up --help'\)\n$/],
    [['up', '--vpc-cidr', '10.300.0.0/24'], /expected an IPv4 network/],
    [['emulator', '--vpc-cidr', '10.213.0.0/8'], /^berth emulator: --vpc-cidr '10\.213\.0\.0\/8': expected a prefix length from \/16 to \/28/],
    [['emulator', '--vpc-cidr', '10.213.0.5/24'], /host bits set/],
    [['up', '--vpc-cidr', '10.213.0.0/24', '--vpc-bridge', 'a-bridge-name-too-long'], /--vpc-bridge 'a-bridge-name-too-long': expected at most 15/],
    [['up', '--vpc-cidr', '10.213.0.0/24', '--vpc-subnet-id', 'net-1'], /--vpc-subnet-id 'net-1': expected subnet-/],
  ];
  const results = await Promise.all(cases.map(([args]) => runBerth(args)));
  for (const [i, res] of results.entries()) {
    t.equal(res.code, 2, cases[i]![0].join(' '));
    t.ok(oneLine(res.stderr), res.stderr);
    t.match(res.stderr, cases[i]![1]);
  }
});

t.test('berth version, --version and agent -version print the version', async (t) => {
  const [version, dashed, official] = await Promise.all([
    runBerth(['version']),
    runBerth(['--version']),
    runBerth(['agent', '-version']),
  ]);
  t.equal(version.code, 0);
  t.match(version.stdout, new RegExp(`^berth ${AGENT_VERSION.replace(/\./g, '\\.')} .*node v\\d+`));
  t.equal(dashed.stdout, version.stdout);
  t.equal(official.code, 0);
  t.equal(official.stdout, `berth agent ${AGENT_VERSION}\n`, "the official agent's -version spelling works");
});

t.test('a bad flag is one clear line and exit 2', async (t) => {
  const [agent, emulator, top, port] = await Promise.all([
    runBerth(['agent', '--frobnicate']),
    runBerth(['emulator', '--port']),
    runBerth(['frobnicate']),
    runBerth(['emulator', '--port', 'eighty']),
  ]);
  t.equal(agent.code, 2);
  t.equal(agent.stderr, "berth agent: unknown option '--frobnicate' (see 'berth agent --help')\n");
  t.equal(emulator.code, 2);
  t.ok(oneLine(emulator.stderr), emulator.stderr);
  t.match(emulator.stderr, /option '--port <value>' needs a value/);
  t.equal(top.code, 2);
  t.match(top.stderr, /^berth: unknown command 'frobnicate' \(commands: agent, emulator, up, logs, version\)/);
  t.ok(oneLine(top.stderr));
  t.equal(port.code, 2);
  t.match(port.stderr, /--port 'eighty': expected a port 0-65535/);
});

t.test('a bad ECS_* value, in the environment or in ecs.config, is one clear line and exit 5', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'ecs.config');
  writeFileSync(file, 'AWS_DEFAULT_REGION=us-east-1\nECS_IMAGE_PULL_BEHAVIOR=sometimes\n');
  const [env, fromFile, noRegion] = await Promise.all([
    runBerth(['agent'], berthEnv({ AWS_DEFAULT_REGION: 'us-east-1', ECS_RESERVED_MEMORY: 'lots' })),
    runBerth(['agent', '--config', file]),
    runBerth(['agent']),
  ]);
  t.equal(env.code, 5, 'bad configuration is terminal: systemd must not restart into it');
  t.equal(env.stderr, 'berth: ConfigError: ECS_RESERVED_MEMORY="lots": expected a whole number of MiB\n');
  t.equal(fromFile.code, 5);
  t.equal(fromFile.stderr, 'berth: ConfigError: ECS_IMAGE_PULL_BEHAVIOR="sometimes": expected default, always, once or prefer-cached\n');
  t.equal(noRegion.code, 5);
  t.ok(oneLine(noRegion.stderr));
  t.match(noRegion.stderr, /AWS_DEFAULT_REGION/);
});

t.test('berth agent --print-config shows the effective configuration with credentials redacted', async (t) => {
  const res = await runBerth(['agent', '--print-config'], berthEnv({
    AWS_DEFAULT_REGION: 'eu-west-1',
    ECS_CLUSTER: 'ship-cli',
    AWS_ACCESS_KEY_ID: 'AKIDSHOULDNOTSHOW',
    AWS_SECRET_ACCESS_KEY: 'secret-should-not-show',
  }));
  t.equal(res.code, 0);
  const printed = JSON.parse(res.stdout) as Record<string, unknown>;
  t.equal(printed['cluster'], 'ship-cli');
  t.equal(printed['region'], 'eu-west-1');
  t.equal(printed['credentials'], '[redacted]');
  t.notMatch(res.stdout, /AKIDSHOULDNOTSHOW|secret-should-not-show/);
});
