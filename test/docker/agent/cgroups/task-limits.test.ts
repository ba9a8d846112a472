/**
 * Task-level cgroups on real Docker (ECS_ENABLE_TASK_CPU_MEM_LIMIT; spec §1.3, §1.4 step 6, §3 task cpu/memory,
 * §5.5, §5.8): one agent with limits on (50ms CPU period, 64 pids) and one with them off, each behind its own
 * fake control plane, in port range 57700-57999 and `cg-` clusters. Needs root and cgroup v1 (this host);
 * skipped elsewhere.
 */
import t, { type Test } from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { startAgent, type Agent } from '../../../../src/agent/index.js';
import { exitCodeFor } from '../../../../src/agent/agent.js';
import { startFakeControlPlane, eventually, type FakeControlPlane } from '../../../kit/fake-control-plane.js';
import { docker, removeContainersWithLabel } from '../../../kit/docker.js';
import { agentConfig, tempDataDir, testLogger } from '../../../kit/agent-harness.js';

const IMAGE = 'berth/busybox:latest';
const ROOT = '/sys/fs/cgroup';
const v1Root = typeof process.getuid === 'function' && process.getuid() === 0 && existsSync(`${ROOT}/cpu`) && existsSync(`${ROOT}/memory`) && !existsSync(`${ROOT}/cgroup.controllers`);
const MiB = 1024 * 1024;

interface Rig {
  fake: FakeControlPlane;
  agent: Agent;
  arn(): string;
  send(task: Record<string, unknown>): void;
  reported(arn: string, status: 'RUNNING' | 'STOPPED'): Promise<Record<string, unknown>>;
  container(arn: string, name: string): Record<string, unknown>;
}

async function rig(t: Test, range: string, env: Record<string, string> = {}): Promise<Rig> {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const cluster = `cg-${randomBytes(4).toString('hex')}`;
  t.teardown(() => removeContainersWithLabel('com.amazonaws.ecs.cluster', cluster));
  const config = agentConfig({ cluster, backend: fake.url, dataDir: tempDataDir(t), portRange: range, extra: { BERTH_IMAGE_PULL_BACKOFF: '10ms,20ms', ...env } });
  const agent = await startAgent({ config, log: testLogger() });
  t.teardown(() => agent.close());
  const changes = (): Record<string, unknown>[] => fake.ofOperation('SubmitTaskStateChange').map((r) => r.body);
  return {
    fake,
    agent,
    arn: () => `arn:aws:ecs:us-west-2:123456789012:task/${cluster}/${randomBytes(16).toString('hex')}`,
    send: (task) => void fake.sendPayload([task]),
    reported: (arn, status) => eventually(`${status} of ${arn}`, () => changes().find((b) => b['task'] === arn && b['status'] === status), 30_000),
    container(arn, name) {
      let out: Record<string, unknown> = {};
      for (const b of changes()) {
        if (b['task'] !== arn) continue;
        for (const c of (b['containers'] as Record<string, unknown>[] | undefined) ?? []) if (c['containerName'] === name) out = { ...out, ...c };
      }
      return out;
    },
  };
}

function acsTask(arn: string, command: string, extra: Record<string, unknown> = {}, desiredStatus = 'RUNNING'): Record<string, unknown> {
  return {
    arn, family: 'cg-test', version: '1', desiredStatus, networkMode: 'bridge', launchType: 'EC2', volumes: [],
    // No container memory: only the task's limit applies.
    containers: [{ name: 'app', image: IMAGE, essential: true, cpu: 0, memory: 0, portMappings: [], environment: {}, command: ['sh', '-c', command] }],
    ...extra,
  };
}

const taskId = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);
const inspect = (arn: string): { Id: string; HostConfig: { CgroupParent: string } } => {
  const id = docker('ps', '-aq', '--no-trunc', '--filter', `label=com.amazonaws.ecs.task-arn=${arn}`).split('\n')[0]!;
  return (JSON.parse(docker('inspect', id)) as { Id: string; HostConfig: { CgroupParent: string } }[])[0]!;
};
const read = (p: string): string => readFileSync(p, 'utf8').trim();
const attributeNames = (fake: FakeControlPlane): string[] =>
  ((fake.ofOperation('RegisterContainerInstance')[0]?.body['attributes'] as { name: string }[] | undefined) ?? []).map((a) => a.name);

t.test('task cgroups', { skip: !v1Root && 'needs root and cgroup v1' }, async (t) => {
  const on = await rig(t, '57700-57849', { ECS_CGROUP_CPU_PERIOD: '50ms', ECS_TASK_PIDS_LIMIT: '64' });

  await Promise.all([
    t.test('the capabilities are advertised where the official agent puts them', async (t) => {
      const names = attributeNames(on.fake);
      const i = names.indexOf('ecs.capability.task-cpu-mem-limit');
      t.ok(i > names.indexOf('com.amazonaws.ecs.capability.logging-driver.none'), 'after the logging drivers');
      t.equal(names[i + 1], 'ecs.capability.increased-task-cpu-limit');
      t.ok(i < names.indexOf('com.amazonaws.ecs.capability.ecr-auth'), 'before ecr-auth');
    }),

    t.test('a container over its task memory (64 MiB, no container limit) is OOM-killed: 137, OutOfMemoryError', async (t) => {
      const arn = on.arn();
      on.send(acsTask(arn, 'head -c 200m /dev/zero | tail', { memory: 64 }));
      await on.reported(arn, 'STOPPED');
      t.match(on.container(arn, 'app'), { exitCode: 137, reason: /^OutOfMemoryError/ });
    }),

    t.test('the same container in a task without task memory is not limited and exits 0', async (t) => {
      const arn = on.arn();
      on.send(acsTask(arn, 'head -c 200m /dev/zero | tail >/dev/null'));
      await on.reported(arn, 'STOPPED');
      t.equal(on.container(arn, 'app')['exitCode'], 0);
    }),

    t.test('0.25 vCPU and 64 MiB: the container sits in /ecs/<task-id>, whose files hold the limits; removed at cleanup', async (t) => {
      const arn = on.arn();
      const id = taskId(arn);
      on.send(acsTask(arn, 'exec sleep 300', { cpu: 0.25, memory: 64 }));
      await on.reported(arn, 'RUNNING');
      const info = inspect(arn);
      t.equal(info.HostConfig.CgroupParent, `/ecs/${id}`, 'CgroupParent');
      for (const c of ['cpu', 'memory', 'pids']) t.ok(existsSync(`${ROOT}/${c}/ecs/${id}/${info.Id}`), `the container's ${c} cgroup is under the task's`);
      t.equal(read(`${ROOT}/cpu/ecs/${id}/cpu.cfs_period_us`), '50000', 'ECS_CGROUP_CPU_PERIOD');
      t.equal(read(`${ROOT}/cpu/ecs/${id}/cpu.cfs_quota_us`), '12500', '0.25 x 50ms');
      t.equal(read(`${ROOT}/memory/ecs/${id}/memory.limit_in_bytes`), String(64 * MiB));
      t.equal(read(`${ROOT}/pids/ecs/${id}/pids.max`), '64', 'ECS_TASK_PIDS_LIMIT');

      // The pids limit holds: 100 more processes cannot be forked in the task.
      let forked = true;
      let stderr = '';
      try {
        execFileSync('docker', ['exec', info.Id, 'sh', '-c', 'for i in $(seq 100); do sleep 5 & done; wait'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20_000 });
      } catch (err) {
        forked = false;
        stderr = String((err as { stderr?: Buffer }).stderr ?? '');
      }
      t.notOk(forked, 'forking past pids.max fails');
      t.match(stderr, /can't fork/);

      on.send(acsTask(arn, 'exec sleep 300', { cpu: 0.25, memory: 64 }, 'STOPPED'));
      await on.reported(arn, 'STOPPED');
      await eventually('task cgroup removed from every hierarchy', () => !['cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'devices', 'freezer', 'cpuset'].some((c) => existsSync(`${ROOT}/${c}/ecs/${id}`)), 20_000);
      t.pass('removed at cleanup');
    }),

    t.test('ECS_ENABLE_TASK_CPU_MEM_LIMIT=false: no cgroup, no CgroupParent, no capability', async (t) => {
      const off = await rig(t, '57850-57999', { ECS_ENABLE_TASK_CPU_MEM_LIMIT: 'false' });
      t.notOk(attributeNames(off.fake).includes('ecs.capability.task-cpu-mem-limit'));
      t.notOk(attributeNames(off.fake).includes('ecs.capability.increased-task-cpu-limit'));
      const arn = off.arn();
      off.send(acsTask(arn, 'exec sleep 300', { cpu: 0.25, memory: 64 }));
      await off.reported(arn, 'RUNNING');
      t.equal(inspect(arn).HostConfig.CgroupParent, '');
      t.notOk(existsSync(`${ROOT}/cpu/ecs/${taskId(arn)}`));
      off.send(acsTask(arn, 'exec sleep 300', { cpu: 0.25, memory: 64 }, 'STOPPED'));
      await off.reported(arn, 'STOPPED');
    }),
  ]);
});

t.test('ECS_ENABLE_TASK_CPU_MEM_LIMIT=true without a usable cgroup root ends the agent with exit 5', async (t) => {
  const config = agentConfig({
    cluster: `cg-${randomBytes(4).toString('hex')}`, backend: 'http://127.0.0.1:9', dataDir: tempDataDir(t), portRange: '57700-57999',
    extra: { ECS_ENABLE_TASK_CPU_MEM_LIMIT: 'true', ECS_CGROUP_PATH: '/nonexistent/berth-cgroup' },
  });
  const err = await startAgent({ config, log: testLogger() }).then(() => undefined, (e: unknown) => e);
  t.match(err, { code: 'ResourceInitializationError' });
  t.equal(exitCodeFor(err), 5);
});
