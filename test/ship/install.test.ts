import t, { type Test } from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CreateClusterCommand, DescribeContainerInstancesCommand, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { ecsClient, emulatorOn, removeContainersOfCluster, removeDir, tempDir, waitFor } from '../kit/harness.js';
import { REPO } from '../kit/run-berth.js';

/**
 * scripts/install end to end against the emulator, in a temporary root (--root). This machine has no systemd as
 * PID 1, so systemctl is test/ship/systemctl-shim (first on PATH): it records the calls and runs the installed
 * unit's ExecStart with the unit's environment, as systemd would.
 */
const INSTALL = path.join(REPO, 'scripts/install');

/** The app is compiled and staged once (scripts/stage-app) and every install copies it (--from). */
const STAGED = tempDir('ship-install-app');
t.before(() => {
  execFileSync(path.join(REPO, 'scripts/stage-app'), [STAGED, '--link'], { stdio: 'inherit' });
});
t.teardown(() => removeDir(STAGED));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const child = spawn(INSTALL, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Every path under `dir`, relative. */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

async function setup(t: Test, name: string) {
  const dir = tempDir(name);
  const root = path.join(dir, 'root');
  const shimState = path.join(dir, 'shim');
  const shimBin = path.join(dir, 'bin');
  mkdirSync(root);
  mkdirSync(shimState);
  mkdirSync(shimBin);
  symlinkSync(path.join(REPO, 'test/ship/systemctl-shim'), path.join(shimBin, 'systemctl'));
  const cluster = `${name}-${process.pid}`;
  const emulator = await emulatorOn(path.join(dir, 'emulator'));
  const ecs = ecsClient(emulator.url);
  t.teardown(async () => {
    // Whatever the test left running: stop it through the shim, like an uninstall would.
    await run(['--uninstall', '--root', root], env).catch(() => undefined);
    ecs.destroy();
    await emulator.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  // A clean environment: no AWS keys of the test machine, the shim first on PATH.
  const env: NodeJS.ProcessEnv = {
    PATH: `${shimBin}:${process.env['PATH'] ?? ''}`,
    HOME: process.env['HOME'],
    SYSTEMCTL_SHIM_STATE: shimState,
    SYSTEMCTL_SHIM_ROOT: root,
  };
  const args = [
    '--root', root, '--from', STAGED, '--cluster', cluster, '--region', 'us-east-1', '--endpoint', emulator.url, '--wait', '60',
    // Test-only agent settings: free local ports, this suite's host port range, no host-wide link-local route.
    '--env', 'BERTH_INTROSPECTION_PORT=0', '--env', 'BERTH_METADATA_PORT=0', '--env', 'BERTH_LINK_LOCAL_ENDPOINT=false',
    '--env', 'ECS_DYNAMIC_HOST_PORT_RANGE=52400-52499',
  ];
  const calls = (): string[] => (existsSync(path.join(shimState, 'calls')) ? readFileSync(path.join(shimState, 'calls'), 'utf8').trim().split('\n') : []);
  return { dir, root, cluster, emulator, ecs, env, args, calls, shimState };
}

t.test('scripts/install sets the host up as an external instance of the emulator, and --uninstall removes it all', async (t) => {
  const s = await setup(t, 'ship-install');
  const installed = await run(s.args, s.env);
  t.equal(installed.code, 0, installed.code === 0 ? 'install exits 0' : installed.stderr);
  t.match(installed.stdout, /^healthy/, "it waited for the agent's health check");

  const list = await s.ecs.send(new ListContainerInstancesCommand({ cluster: s.cluster }));
  t.equal(list.containerInstanceArns?.length, 1, 'the host is registered in the cluster');
  const described = await s.ecs.send(new DescribeContainerInstancesCommand({ cluster: s.cluster, containerInstances: list.containerInstanceArns }));
  const instance = described.containerInstances?.[0];
  t.equal(instance?.agentConnected, true);
  t.ok(instance?.attributes?.some((a) => a.name === 'ecs.capability.external'), 'registered as an external instance');

  const configFile = path.join(s.root, 'etc/ecs/ecs.config');
  const config = readFileSync(configFile, 'utf8');
  for (const line of [`ECS_CLUSTER=${s.cluster}`, 'AWS_DEFAULT_REGION=us-east-1', 'ECS_EXTERNAL=true', `ECS_BACKEND_HOST=${s.emulator.url}`]) {
    t.match(config, new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'), `ecs.config has ${line}`);
  }
  t.equal(statSync(configFile).mode & 0o777, 0o600, 'ecs.config may hold keys: 0600');
  const unit = readFileSync(path.join(s.root, 'etc/systemd/system/berth-agent.service'), 'utf8');
  t.match(unit, new RegExp(`^ExecStart=${s.root}/usr/local/bin/berth agent$`, 'm'), 'the unit points at the installed command');
  t.ok(existsSync(path.join(s.root, 'etc/systemd/system/multi-user.target.wants/berth-agent.service')), 'the unit is enabled');
  t.same(s.calls(), ['daemon-reload', 'enable berth-agent.service', 'start berth-agent.service']);

  const uninstalled = await run(['--uninstall', '--root', s.root], s.env);
  t.equal(uninstalled.code, 0, uninstalled.code === 0 ? 'uninstall exits 0' : uninstalled.stderr);
  t.same(s.calls().slice(3), ['stop berth-agent.service', 'disable berth-agent.service', 'daemon-reload']);
  t.same(tree(s.root), [], 'nothing the install added is left');
  await waitFor('the instance to show disconnected', async () => {
    const d = await s.ecs.send(new DescribeContainerInstancesCommand({ cluster: s.cluster, containerInstances: list.containerInstanceArns }));
    return d.containerInstances?.[0]?.agentConnected === false ? true : undefined;
  });
  t.pass('the agent was stopped');
});

t.test('--no-start installs and enables without starting, and an existing ecs.config is restored on uninstall', async (t) => {
  const s = await setup(t, 'ship-install-nostart');
  mkdirSync(path.join(s.root, 'etc/ecs'), { recursive: true });
  const before = 'ECS_RESERVED_MEMORY=128\nECS_CLUSTER=old\n';
  writeFileSync(path.join(s.root, 'etc/ecs/ecs.config'), before);

  const installed = await run([...s.args, '--no-start'], s.env);
  t.equal(installed.code, 0, installed.code === 0 ? 'install exits 0' : installed.stderr);
  t.same(s.calls(), ['daemon-reload', 'enable berth-agent.service'], 'not started');
  const config = readFileSync(path.join(s.root, 'etc/ecs/ecs.config'), 'utf8');
  t.match(config, /^ECS_RESERVED_MEMORY=128$/m, 'other settings are kept');
  t.match(config, new RegExp(`^ECS_CLUSTER=${s.cluster}$`, 'm'));
  t.notMatch(config, /^ECS_CLUSTER=old$/m);
  t.equal((await s.ecs.send(new ListContainerInstancesCommand({ cluster: s.cluster }))).containerInstanceArns?.length, 0);

  const again = await run(s.args, s.env);
  t.equal(again.code, 1, 'a second install is refused');
  t.match(again.stderr, /installed already/);

  const uninstalled = await run(['--uninstall', '--root', s.root], s.env);
  t.equal(uninstalled.code, 0, uninstalled.code === 0 ? 'uninstall exits 0' : uninstalled.stderr);
  t.equal(readFileSync(path.join(s.root, 'etc/ecs/ecs.config'), 'utf8'), before, 'the original ecs.config is back');
  t.same(tree(s.root), ['etc', 'etc/ecs', 'etc/ecs/ecs.config'], 'only what was there before is left');
});

t.test('scripts/install refuses bad flags and bad configuration before touching systemd', async (t) => {
  const s = await setup(t, 'ship-install-bad');
  const noRegion = await run(['--root', s.root, '--cluster', s.cluster], s.env);
  t.equal(noRegion.code, 1);
  t.match(noRegion.stderr, /--region is required/);
  const badFlag = await run(['--root', s.root, '--frobnicate'], s.env);
  t.equal(badFlag.code, 1);
  t.match(badFlag.stderr, /unknown option '--frobnicate'/);
  const badValue = await run([...s.args, '--env', 'ECS_RESERVED_MEMORY=lots'], s.env);
  t.equal(badValue.code, 1);
  t.match(badValue.stderr, /ECS_RESERVED_MEMORY="lots": expected a whole number of MiB/);
  t.same(s.calls(), [], 'systemctl was never called');
  const cleaned = await run(['--uninstall', '--root', s.root], s.env);
  t.equal(cleaned.code, 0, 'a half-done install can be uninstalled');
  t.same(tree(s.root), []);
});
