/**
 * Container write -> visible in GetLogEvents, through Docker's own awslogs driver on `berth up` (root: dockerd
 * fetches the execution role credentials from 169.254.170.2). A container writes a line every 250 ms carrying the
 * kernel's uptime (/proc/uptime is not namespaced, so host and container read one clock); the benchmark polls
 * GetLogEvents every 20 ms and notes when each line first shows. The driver batches (it flushes every
 * awslogs-force-flush-interval-seconds, 5 by default), so the figure is mostly its batching: measured with the
 * default and with 1 s, beside the baseline of a PutLogEvents straight to the emulator and read back.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runUp } from '../src/up/index.js';
import { silentLogger } from '../src/shared/log.js';
import { quantile } from './stats.js';
import type { BenchOutcome } from './stats.js';

export const name = 'logs-driver-latency';
const LINES = 40;
const WRITE_EVERY_S = 0.25;
const POLL_MS = 20;
const ECS = 'AmazonEC2ContainerServiceV20141113.';
const LOGS = 'Logs_20140328.';

const uptimeMs = (): number => Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000;

async function call(url: string, target: string, input: object): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', headers: { 'X-Amz-Target': target, 'Content-Type': 'application/x-amz-json-1.1' }, body: JSON.stringify(input) });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${target}: ${JSON.stringify(body)}`);
  return body;
}

function summary(samples: number[]): { median: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: Math.round(quantile(sorted, 0.5)), p99: Math.round(quantile(sorted, 0.99)) };
}

/** Runs the writer task with these awslogs options and returns each line's write -> visible latency (ms). */
async function throughDriver(url: string, cluster: string, family: string, extra: Record<string, string>): Promise<number[]> {
  const script = `i=0; while [ $i -lt ${LINES} ]; do echo "$i $(cut -d' ' -f1 /proc/uptime)"; sleep ${WRITE_EVERY_S}; i=$((i+1)); done`;
  await call(url, `${ECS}RegisterTaskDefinition`, {
    family,
    executionRoleArn: 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole',
    containerDefinitions: [{ name: 'writer', image: 'berth/busybox:latest', memory: 32, essential: true, command: ['sh', '-c', script],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/bench/latency', 'awslogs-create-group': 'true', 'awslogs-stream-prefix': family, ...extra } } }],
  });
  const task = ((await call(url, `${ECS}RunTask`, { cluster, taskDefinition: family }))['tasks'] as { taskArn: string }[])[0]!;
  const stream = `${family}/writer/${task.taskArn.split('/').pop()}`;
  const seen = new Map<number, number>();
  const deadline = performance.now() + 60_000;
  while (seen.size < LINES && performance.now() < deadline) {
    try {
      const out = await call(url, `${LOGS}GetLogEvents`, { logGroupName: '/bench/latency', logStreamName: stream, startFromHead: true });
      const now = uptimeMs();
      for (const e of out['events'] as { message: string }[]) {
        const [i, written] = e.message.split(' ');
        if (!seen.has(Number(i))) seen.set(Number(i), now - Number(written) * 1000);
      }
    } catch {
      // the stream appears when the container starts
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  if (seen.size < LINES) throw new Error(`${family}: only ${seen.size} of ${LINES} lines arrived`);
  return [...seen.values()];
}

export async function run(): Promise<BenchOutcome> {
  if (process.getuid?.() !== 0) throw new Error('needs root: dockerd fetches the execution role credentials from 169.254.170.2');
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-bench-logs-driver-'));
  const cluster = 'bench-logs';
  const up = await runUp({
    port: 0, dataDir: dir, cluster, region: 'us-east-1',
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], BERTH_CONFIG_FILE: '/nonexistent/bench', BERTH_LINK_LOCAL_ENDPOINT: 'true', BERTH_METADATA_PORT: '0', BERTH_INTROSPECTION_PORT: '0', ECS_LOGLEVEL: 'warn' },
    log: silentLogger(),
    print: () => undefined,
  });
  try {
    // Baseline: the emulator's own part, a PutLogEvents and the GetLogEvents that first shows it.
    await call(up.url, `${LOGS}CreateLogGroup`, { logGroupName: '/bench/direct' });
    await call(up.url, `${LOGS}CreateLogStream`, { logGroupName: '/bench/direct', logStreamName: 's' });
    const direct: number[] = [];
    for (let i = 0; i < LINES; i++) {
      const t0 = performance.now();
      await call(up.url, `${LOGS}PutLogEvents`, { logGroupName: '/bench/direct', logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: `line ${i}` }] });
      const out = await call(up.url, `${LOGS}GetLogEvents`, { logGroupName: '/bench/direct', logStreamName: 's', limit: 1 });
      if ((out['events'] as { message: string }[])[0]?.message !== `line ${i}`) throw new Error('the line was not visible at once');
      direct.push(performance.now() - t0);
    }
    const fast = await throughDriver(up.url, cluster, 'flush1s', { 'awslogs-force-flush-interval-seconds': '1' });
    const standard = await throughDriver(up.url, cluster, 'default', {});
    const d = summary(direct);
    const f = summary(fast);
    const s = summary(standard);
    return {
      rows: [
        { measure: 'PutLogEvents -> visible in GetLogEvents, straight to the emulator (baseline)', lines: LINES, median_ms: d.median, p99_ms: d.p99 },
        { measure: 'container write -> visible, awslogs driver, flush every 1 s', lines: LINES, median_ms: f.median, p99_ms: f.p99 },
        { measure: "container write -> visible, awslogs driver, Docker's default flush (5 s)", lines: LINES, median_ms: s.median, p99_ms: s.p99 },
      ],
      result: {
        description: `a line every ${WRITE_EVERY_S * 1000} ms through dockerd's awslogs driver to berth up's CloudWatch Logs, polled every ${POLL_MS} ms; uptime clock shared by host and container`,
        lines: LINES,
        directMs: d,
        driverFlush1sMs: f,
        driverDefaultFlushMs: s,
      },
    };
  } finally {
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
