/**
 * PayloadMessage -> RUNNING reported, for one task, against raw Docker create+start of the same container.
 *
 * berth: a recording fake control plane on 127.0.0.1 sends a PayloadMessage over ACS; the clock stops when the
 * agent's SubmitTaskStateChange(RUNNING) arrives. So the figure includes parsing, persisting, port picking,
 * create, start, inspect and the HTTP report. Baseline: dockerode create + start of the same container.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { startFakeControlPlane, type FakeControlPlane, type RecordedRequest } from '../test/kit/fake-control-plane.js';
import { loadConfig, startAgent } from '../src/agent/index.js';
import { createLogger, silentLogger } from '../src/shared/log.js';
import { rawCreateStart } from './raw-docker.js';
import { summarize, type BenchOutcome, type Summary } from './stats.js';

const IMAGE = 'berth/busybox:latest';
const COMMAND = ['sh', '-c', 'trap "exit 0" TERM; httpd -f -p 8080 -h /www & wait'];

function taskPayload(cluster: string, desiredStatus: 'RUNNING' | 'STOPPED', id: string): Record<string, unknown> {
  return {
    arn: `arn:aws:ecs:us-west-2:123456789012:task/${cluster}/${id}`,
    family: 'bench-web',
    version: '1',
    desiredStatus,
    networkMode: 'bridge',
    launchType: 'EC2',
    containers: [
      {
        name: 'web',
        image: IMAGE,
        command: COMMAND,
        essential: true,
        cpu: 0,
        memory: 64,
        portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
        environment: {},
        mountPoints: [],
        volumesFrom: [],
        links: [],
      },
    ],
    volumes: [],
  };
}

function nextReport(fake: FakeControlPlane, taskArn: string, status: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${status} report for ${taskArn} within 30 s`)), 30_000);
    const off = fake.onRequest((r: RecordedRequest) => {
      if (r.operation === 'SubmitTaskStateChange' && r.body['task'] === taskArn && r.body['status'] === status) {
        clearTimeout(timer);
        off();
        resolve(performance.now());
      }
    });
  });
}

export const name = 'payload-to-running';
const RUNS = Number(process.env['BERTH_BENCH_RUNS'] ?? 20);
const TARGET_OVERHEAD_MS = 15;
const SETTLE_MS = 200;

async function measure(runs: number): Promise<{ berth: Summary; rawDocker: Summary; overheadMedianMs: number }> {
  const docker = new Docker();
  const raw: number[] = [];

  const dir = mkdtempSync(path.join(tmpdir(), 'berth-bench-'));
  const cluster = `bench-${process.pid}`;
  const fake = await startFakeControlPlane();
  const config = loadConfig(
    {
      ECS_CLUSTER: cluster,
      ECS_BACKEND_HOST: fake.url,
      ECS_DATADIR: dir,
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
      ECS_EXTERNAL: 'true',
      ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1s',
      ECS_DYNAMIC_HOST_PORT_RANGE: '45000-45999',
      // As in the official agent's recorded run: the image is local, so no registry round trip per task.
      ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached',
      // The fake control plane serves no TCS: a session that keeps redialling it would only add noise.
      ECS_DISABLE_METRICS: 'true',
      ECS_DISABLE_DOCKER_HEALTH_CHECK: 'true',
      BERTH_INTROSPECTION_PORT: '0',
      BERTH_METADATA_PORT: '0',
    },
    { configFile: '/nonexistent/berth-bench' },
  );
  const agent = await startAgent({ config, log: process.env['BERTH_BENCH_LOG'] ? createLogger({ level: 'debug' }) : silentLogger() });
  const samples: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      // Raw and berth runs alternate, each after a removal and the same pause: Docker's create is slower
      // right after a quiet spell than back to back, so both sides must see the same rhythm.
      raw.push(...(await rawCreateStart(docker, IMAGE, COMMAND, 1)));
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const id = randomUUID().replace(/-/g, '');
      const arn = `arn:aws:ecs:us-west-2:123456789012:task/${cluster}/${id}`;
      const running = nextReport(fake, arn, 'RUNNING');
      const t0 = performance.now();
      fake.sendPayload([taskPayload(cluster, 'RUNNING', id)]);
      samples.push((await running) - t0);
      const stopped = nextReport(fake, arn, 'STOPPED');
      fake.sendPayload([taskPayload(cluster, 'STOPPED', id)]);
      await stopped;
      // The baseline removes each container before the next run; wait for berth's cleanup likewise, so the
      // next measurement does not compete with a `docker rm`.
      await waitForRemoval(docker, arn);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
    }
  } finally {
    await agent.close();
    await fake.close();
    const leftovers = await docker.listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.cluster=${cluster}`] } });
    await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    rmSync(dir, { recursive: true, force: true });
  }
  const berth = summarize(samples);
  const rawDocker = summarize(raw);
  // The overhead is the median of the paired differences (each berth run against the raw run just before it).
  const paired = summarize(samples.map((b, i) => b - raw[i]!));
  return { berth, rawDocker, overheadMedianMs: paired.medianMs };
}

async function waitForRemoval(docker: Docker, taskArn: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const left = await docker.listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.task-arn=${taskArn}`] } });
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`task ${taskArn} was not cleaned up within 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function run(): Promise<BenchOutcome> {
  const r = await measure(RUNS);
  return {
    rows: [
      { measure: 'payload -> RUNNING reported (berth)', runs: r.berth.runs, median_ms: r.berth.medianMs, p90_ms: r.berth.p90Ms },
      { measure: 'raw docker create+start (baseline)', runs: r.rawDocker.runs, median_ms: r.rawDocker.medianMs, p90_ms: r.rawDocker.p90Ms },
      { measure: `berth overhead: median of paired differences (target <= ${TARGET_OVERHEAD_MS} ms)`, runs: r.berth.runs, median_ms: r.overheadMedianMs, p90_ms: '' },
      { measure: 'difference of the two medians (for reference)', runs: '', median_ms: Math.round((r.berth.medianMs - r.rawDocker.medianMs) * 10) / 10, p90_ms: '' },
    ],
    result: {
      description: 'ACS PayloadMessage -> SubmitTaskStateChange RUNNING for one bridge task, vs raw docker create+start',
      runs: RUNS,
      berth: r.berth,
      baseline: { rawDockerCreateStart: r.rawDocker },
      overheadMedianMs: r.overheadMedianMs,
      overheadDefinition: 'median over runs of (berth run - the raw run just before it); runs alternate with the same removal + pause rhythm',
      differenceOfMediansMs: Math.round((r.berth.medianMs - r.rawDocker.medianMs) * 10) / 10,
      targetOverheadMedianMs: TARGET_OVERHEAD_MS,
      meetsTarget: r.overheadMedianMs <= TARGET_OVERHEAD_MS,
    },
  };
}
