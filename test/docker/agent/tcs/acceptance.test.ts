/**
 * Telemetry end to end: real emulator, real agent, real Docker. TCS publishes every 500ms here (20s in
 * production), so CPU, memory and health reach the emulator within seconds.
 */
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { startStack, containersOfTask, waitFor } from '../../../kit/harness.js';
import { parsePrometheusText, sampleValue } from '../../../kit/prom-text.js';
import { docker } from '../../../kit/docker.js';

const IMAGE = 'berth/busybox:latest';

async function scrape(url: string): Promise<ReturnType<typeof parsePrometheusText>> {
  return parsePrometheusText(await (await fetch(url)).text());
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${dir}/${e.name}`);
  } catch {
    return [];
  }
}

/** usage - inactive_file of the container's memory cgroup (v1 or v2), in MiB. */
function cgroupMemoryMiB(id: string): number {
  const v2 = (() => {
    try {
      readFileSync('/sys/fs/cgroup/cgroup.controllers');
      return true;
    } catch {
      return false;
    }
  })();
  // Under Docker's default parent, or under the task's own cgroup (ECS_ENABLE_TASK_CPU_MEM_LIMIT).
  const candidates = v2
    ? [`/sys/fs/cgroup/system.slice/docker-${id}.scope`, ...subdirs('/sys/fs/cgroup/ecstasks.slice').map((d) => `${d}/docker-${id}.scope`)]
    : [`/sys/fs/cgroup/memory/docker/${id}`, ...subdirs('/sys/fs/cgroup/memory/ecs').map((d) => `${d}/${id}`)];
  const dir = candidates.find((d) => existsSync(d)) ?? candidates[0]!;
  const usage = Number(readFileSync(`${dir}/${v2 ? 'memory.current' : 'memory.usage_in_bytes'}`, 'utf8'));
  const inactive = Number(/^(?:total_)?inactive_file (\d+)$/m.exec(readFileSync(`${dir}/memory.stat`, 'utf8'))?.[1] ?? 0);
  return (usage - inactive) / 1024 / 1024;
}

t.test('CPU, memory and container health reach the emulator over TCS', async (t) => {
  const { cluster, emulator, ecs } = await startStack(t, {
    name: 'tcs-accept',
    portRange: '51000-51599',
    extra: { BERTH_TCS_PUBLISH_INTERVAL: '500ms' },
  });

  const run = async (family: string, c: ContainerDefinition): Promise<string> => {
    await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ image: IMAGE, memory: 32, essential: true, ...c }] }));
    const out = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }));
    return out.tasks![0]!.taskArn!;
  };
  const burn = await run('tcs-burn', { name: 'burn', command: ['sh', '-c', 'while :; do :; done'] });
  const idle = await run('tcs-idle', { name: 'idle', command: ['sleep', '3600'] });
  const hc = await run('tcs-hc', {
    name: 'hc',
    command: ['sleep', '3600'],
    healthCheck: { command: ['CMD-SHELL', 'test ! -f /tmp/bad'], interval: 1, timeout: 2, retries: 1 },
  });

  const metricsUrl = `${emulator.url}/metrics`;
  const cpu = await waitFor('CPU figures of both tasks', async () => {
    const f = await scrape(metricsUrl);
    const b = sampleValue(f, 'berth_emulator_task_cpu_percent', { task_arn: burn });
    const i = sampleValue(f, 'berth_emulator_task_cpu_percent', { task_arn: idle });
    return b !== undefined && i !== undefined && b > 20 ? { b, i } : undefined;
  }, 30_000);
  t.ok(cpu.b > cpu.i + 15 && cpu.i < 5, `the busy loop shows clearly more CPU (${cpu.b.toFixed(1)}%) than sleep (${cpu.i.toFixed(1)}%)`);

  const [idleId] = containersOfTask(idle);
  // A fresh container's memory still moves in its first windows; once steady, every window must match the cgroup.
  let last = '';
  const mem = await waitFor('memory over TCS matching the cgroup', async () => {
    const published = sampleValue(await scrape(metricsUrl), 'berth_emulator_task_memory_mib', { task_arn: idle });
    const actual = cgroupMemoryMiB(idleId!);
    last = `${published} vs ${actual}`;
    return published !== undefined && Math.abs(published - actual) <= Math.max(0.05 * actual, 0.05) ? { published, actual } : undefined;
  }, 15_000).catch((err: unknown) => {
    throw new Error(`${String(err)} (last: ${last})`);
  });
  t.pass(`memory over TCS ${mem.published.toFixed(3)} MiB ~ cgroup ${mem.actual.toFixed(3)} MiB`);

  const health = async (): Promise<string | undefined> => {
    const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [hc] }));
    const task = out.tasks![0]!;
    return `${task.healthStatus}/${task.containers![0]!.healthStatus}`;
  };
  await waitFor('HEALTHY in DescribeTasks', async () => ((await health()) === 'HEALTHY/HEALTHY' ? true : undefined), 30_000);
  t.pass('a passing health check shows HEALTHY');
  const [hcId] = containersOfTask(hc);
  docker('exec', hcId!, 'sh', '-c', 'echo x > /tmp/bad');
  await waitFor('UNHEALTHY in DescribeTasks', async () => ((await health()) === 'UNHEALTHY/UNHEALTHY' ? true : undefined), 30_000);
  t.pass('the failing health check reaches DescribeTasks as UNHEALTHY through TCS');
});
