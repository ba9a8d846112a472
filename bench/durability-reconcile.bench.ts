/**
 * Startup reconciliation with 100 saved tasks, each with a running container: from TaskManager.start() (event
 * stream, `docker ps` by label, adoption plan, one actor per task inspecting its container) until all 100 have
 * re-emitted their unsent RUNNING. Baseline: 100 sequential `docker inspect` calls, the least a restart must do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { StateStore } from '../src/agent/state/store.js';
import { TaskManager } from '../src/agent/engine/task-manager.js';
import { DockerRuntime } from '../src/agent/runtime/docker.js';
import { loadConfig } from '../src/agent/config/config.js';
import { newTaskRecord, parseTaskSpec } from '../src/agent/engine/parse-task.js';
import { dockerContainerName, ecsLabels } from '../src/agent/model/labels.js';
import type { AcsTask } from '../src/shared/protocol/acs.js';
import type { TaskRecord } from '../src/agent/model/task.js';
import { silentLogger } from '../src/shared/log.js';
import { webTask } from '../test/kit/agent-harness.js';
import { summarize, type BenchOutcome } from './stats.js';

export const name = 'durability-reconcile';
const TASKS = Number(process.env['BERTH_BENCH_TASKS'] ?? 100);
const RUNS = Number(process.env['BERTH_BENCH_RUNS'] ?? 5);

async function setup(docker: Docker, cluster: string): Promise<TaskRecord[]> {
  const records: TaskRecord[] = [];
  for (let i = 0; i < TASKS; i++) {
    const arn = `arn:aws:ecs:us-west-2:123456789012:task/${cluster}/${randomBytes(16).toString('hex')}`;
    const record = newTaskRecord(parseTaskSpec({ ...webTask(arn, 'RUNNING'), containers: [{ ...(webTask(arn, 'RUNNING')['containers'] as object[])[0], portMappings: [] }] } as AcsTask), 'RUNNING');
    const c = record.state.containers[0]!;
    c.dockerName = dockerContainerName(record.spec, c.name);
    const created = await docker.createContainer({ name: c.dockerName, Image: 'berth/busybox:latest', Cmd: ['sleep', '3600'], Labels: ecsLabels(record.spec, c.name, cluster), HostConfig: { NetworkMode: 'none' } });
    await created.start();
    c.dockerId = created.id;
    c.known = 'RUNNING';
    record.state.known = 'RUNNING';
    records.push(record);
  }
  return records;
}

export async function run(): Promise<BenchOutcome> {
  const docker = new Docker();
  const cluster = `bench-reconcile-${process.pid}`;
  const config = loadConfig(
    { AWS_DEFAULT_REGION: 'us-west-2', ECS_CLUSTER: cluster, ECS_DYNAMIC_HOST_PORT_RANGE: '53950-53999', ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1h', ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached' },
    { configFile: '/nonexistent/berth-bench' },
  );
  const samples: number[] = [];
  const inspects: number[] = [];
  const dirs: string[] = [];
  try {
    const records = await setup(docker, cluster);
    for (let r = 0; r < RUNS; r++) {
      const dir = mkdtempSync(path.join(tmpdir(), 'berth-bench-reconcile-'));
      dirs.push(dir);
      const store = new StateStore({ dataDir: dir });
      for (const rec of records) store.saveTask(rec); // sent stays NONE: every task re-emits RUNNING
      const runtime = new DockerRuntime({ dockerHost: 'unix:///var/run/docker.sock' });
      let submitted = 0;
      let resolveAll!: () => void;
      const all = new Promise<void>((resolve) => (resolveAll = resolve));
      const engine = new TaskManager({ runtime, store, config, log: silentLogger(), submit: () => ++submitted === TASKS && resolveAll() });
      const t0 = performance.now();
      await engine.start();
      await all;
      samples.push(performance.now() - t0);
      await engine.close();
      store.close();

      const i0 = performance.now();
      for (const rec of records) await docker.getContainer(rec.state.containers[0]!.dockerId!).inspect();
      inspects.push(performance.now() - i0);
    }
  } finally {
    const leftovers = await docker.listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.cluster=${cluster}`] } });
    await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  const berth = summarize(samples);
  const baseline = summarize(inspects);
  return {
    rows: [
      { measure: `restart with ${TASKS} running tasks: start() -> all resumed and re-reported`, runs: berth.runs, median_ms: berth.medianMs, p90_ms: berth.p90Ms },
      { measure: `${TASKS} sequential docker inspects (baseline)`, runs: baseline.runs, median_ms: baseline.medianMs, p90_ms: baseline.p90Ms },
    ],
    result: {
      description: `TaskManager.start() with ${TASKS} saved running tasks until every task re-emitted its unsent RUNNING, vs ${TASKS} sequential docker inspects`,
      tasks: TASKS,
      runs: RUNS,
      berth,
      baseline: { sequentialInspects: baseline },
    },
  };
}
