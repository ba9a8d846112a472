import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from '../kit/run-berth.js';

const UNITS = ['berth-agent.service', 'berth-emulator.service'];
const SYSTEM_UNITS = '/lib/systemd/system';
const haveAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

/** Key=value lines of a unit's [Service] section (repeated keys keep every value). */
function serviceKeys(unit: string): Map<string, string[]> {
  const text = readFileSync(path.join(REPO, 'systemd', unit), 'utf8');
  const section = text.split(/^\[Service\]$/m)[1]?.split(/^\[/m)[0] ?? '';
  const keys = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const m = /^(\w+)=(.*)$/.exec(line.trim());
    if (m) keys.set(m[1]!, [...(keys.get(m[1]!) ?? []), m[2]!]);
  }
  return keys;
}

t.test('systemd-analyze verify passes for both units, without a single warning', { skip: haveAnalyze ? false : 'systemd-analyze is missing (scripts/ensure-docker installs systemd)' }, async (t) => {
  // An alternate root: the host's system units (docker.service, network-online.target, ...), berth's two units,
  // and an executable where ExecStart points (scripts/install puts the real wrapper there).
  const root = mkdtempSync(path.join(tmpdir(), 'berth-ship-systemd-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'lib/systemd'), { recursive: true });
  cpSync(SYSTEM_UNITS, path.join(root, 'lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
  if (!existsSync(path.join(root, 'lib/systemd/system/docker.service'))) {
    // docker.io from Debian ships docker.service; a Docker without it still gets a unit to order against.
    writeFileSync(path.join(root, 'lib/systemd/system/docker.service'), '[Unit]\nDescription=Docker\n[Service]\nExecStart=/bin/true\n');
  }
  mkdirSync(path.join(root, 'etc/systemd/system'), { recursive: true });
  mkdirSync(path.join(root, 'usr/local/bin'), { recursive: true });
  writeFileSync(path.join(root, 'usr/local/bin/berth'), '#!/bin/sh\nexit 0\n');
  chmodSync(path.join(root, 'usr/local/bin/berth'), 0o755);
  for (const unit of UNITS) cpSync(path.join(REPO, 'systemd', unit), path.join(root, 'etc/systemd/system', unit));

  const res = spawnSync(
    'systemd-analyze',
    ['verify', '--man=no', `--root=${root}`, ...UNITS.map((u) => path.join(root, 'etc/systemd/system', u))],
    { encoding: 'utf8' },
  );
  t.equal(res.status, 0, res.stderr);
  // verify exits 0 on unknown keys and bad values too: they are only warnings, so demand silence.
  t.equal(`${res.stdout}${res.stderr}`, '', 'no warnings');
});

t.test('the agent unit restarts on failure but not on exit 5, and never takes task containers down', async (t) => {
  const agent = serviceKeys('berth-agent.service');
  t.same(agent.get('Type'), ['notify']);
  t.same(agent.get('NotifyAccess'), ['all'], 'systemd-notify is a child process, not the main PID');
  t.same(agent.get('Restart'), ['on-failure']);
  t.same(agent.get('RestartPreventExitStatus'), ['5']);
  t.same(agent.get('KillMode'), ['process'], 'SIGTERM goes to the agent only');
  t.ok(agent.get('EnvironmentFile')?.includes('-/etc/ecs/ecs.config'));
  t.match(agent.get('ExecStart')?.[0], /^\/usr\/local\/bin\/berth agent$/);
  const unit = readFileSync(path.join(REPO, 'systemd/berth-agent.service'), 'utf8');
  t.match(unit, /^Wants=.*docker\.service/m);
  t.match(unit, /^After=.*docker\.service/m);
  t.notMatch(unit, /^(PrivateNetwork|RestrictNamespaces|MemoryDenyWriteExecute)=/m, 'no hardening that breaks Docker, task networking or V8');

  const emulator = serviceKeys('berth-emulator.service');
  t.same(emulator.get('Type'), ['notify']);
  t.same(emulator.get('DynamicUser'), ['yes'], 'the emulator needs no privileges');
});

t.test('systemd-analyze security rates the emulator unit as well confined', { skip: haveAnalyze ? false : 'no systemd-analyze' }, async (t) => {
  const out = execFileSync('systemd-analyze', ['security', '--offline=yes', path.join(REPO, 'systemd/berth-emulator.service')], {
    encoding: 'utf8',
  });
  const score = Number(/Overall exposure level for berth-emulator\.service: ([\d.]+)/.exec(out)?.[1]);
  t.ok(score > 0 && score < 5, `exposure ${score} (0 = fully confined, 10 = none)`);
});
