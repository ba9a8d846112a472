/**
 * CloudWatch Logs in the emulator: PutLogEvents ingest over loopback HTTP (batches of 1,000 events of ~100
 * bytes, a few streams at once, as several awslogs drivers send them), beside the emulator's plain DescribeTasks
 * rate in the same run and process; then FilterLogEvents over 1,000,000 stored events (a term that scans
 * everything, a JSON pattern, and a 1% time window that the index narrows), each beside GetLogEvents of one page.
 * Client and emulator share one Node event loop (one core), like the emulator-api benchmark.
 */
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator } from '../src/emulator/index.js';
import { silentLogger } from '../src/shared/log.js';
import { FakeAgent } from '../test/kit/fake-agent.js';
import type { BenchOutcome } from './stats.js';

export const name = 'logs-ingest';
const BATCHES = Number(process.env['BERTH_BENCH_LOG_BATCHES'] ?? 300);
const BATCH = 1000;
const STREAMS = 4;
const DESCRIBES = 5000;
const STORED = Number(process.env['BERTH_BENCH_LOG_EVENTS'] ?? 1_000_000);
const LOGS = 'Logs_20140328.';
const ECS = 'AmazonEC2ContainerServiceV20141113.';

function post(agent: Agent, port: number, target: string, body: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode === 200) resolve(JSON.parse(text) as Record<string, unknown>);
        else reject(new Error(`${target}: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `n` calls with `concurrency` in flight; seconds taken. */
async function timed(n: number, concurrency: number, one: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await one(next++);
  }));
  return (performance.now() - t0) / 1000;
}

const message = (i: number): string =>
  i % 1000 === 0 ? JSON.stringify({ level: 'error', n: i, path: '/api/orders', ms: i % 977 }) : `${new Date(1_700_000_000_000 + i).toISOString()} INFO request ${i} GET /api/items/${i % 5000} 200 ${i % 97}ms`;

export async function run(): Promise<BenchOutcome> {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-bench-logs-'));
  const emu = await startEmulator({ port: 0, dataDir: dir, log: silentLogger(), heartbeatIntervalMs: 60_000 });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  let fake: FakeAgent | undefined;
  try {
    const ecs = (op: string, input: object) => post(agent, emu.port, ECS + op, JSON.stringify(input));
    const logs = (op: string, input: object) => post(agent, emu.port, LOGS + op, JSON.stringify(input));
    await ecs('CreateCluster', { clusterName: 'bench' });
    const reg = await ecs('RegisterContainerInstance', { cluster: 'bench', totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 4096 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 8192 }] });
    fake = await FakeAgent.connect(emu.url, 'bench', (reg['containerInstance'] as { containerInstanceArn: string }).containerInstanceArn);
    await ecs('RegisterTaskDefinition', { family: 'bench', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 1 }] });
    const taskArn = ((await ecs('RunTask', { cluster: 'bench', taskDefinition: 'bench' }))['tasks'] as { taskArn: string }[])[0]!.taskArn;
    const describe = JSON.stringify({ cluster: 'bench', tasks: [taskArn] });
    const describeSeconds = await timed(DESCRIBES, 16, () => post(agent, emu.port, `${ECS}DescribeTasks`, describe));

    // Ingest: each stream gets its batches in order (as one driver sends them), streams in parallel.
    await logs('CreateLogGroup', { logGroupName: '/bench/ingest' });
    for (let s = 0; s < STREAMS; s++) await logs('CreateLogStream', { logGroupName: '/bench/ingest', logStreamName: `s${s}` });
    const start = Date.now() - 3_600_000;
    const batches = Array.from({ length: STREAMS }, () => 0);
    const ingestSeconds = await timed(BATCHES, STREAMS, async (i) => {
      const s = i % STREAMS;
      const b = batches[s]!++;
      const logEvents = Array.from({ length: BATCH }, (_, k) => ({ timestamp: start + b * BATCH + k, message: message(b * BATCH + k) }));
      await post(agent, emu.port, `${LOGS}PutLogEvents`, JSON.stringify({ logGroupName: '/bench/ingest', logStreamName: `s${s}`, logEvents }));
    });

    // 1,000,000 stored events in one stream, spread over ~10 hours, for the queries.
    await logs('CreateLogGroup', { logGroupName: '/bench/query' });
    await logs('CreateLogStream', { logGroupName: '/bench/query', logStreamName: 'big' });
    const base = Date.now() - 10 * 3_600_000;
    const step = 36;
    for (let i = 0; i < STORED; i += 10_000) {
      const logEvents = Array.from({ length: Math.min(10_000, STORED - i) }, (_, k) => ({ timestamp: base + (i + k) * step, message: message(i + k) }));
      // Some batches hit the 1 MiB limit at 10,000 events; halve them.
      for (const half of [logEvents.slice(0, 5000), logEvents.slice(5000)]) {
        if (half.length) await logs('PutLogEvents', { logGroupName: '/bench/query', logStreamName: 'big', logEvents: half });
      }
    }
    const ms = async (fn: () => Promise<unknown>): Promise<number> => {
      const t0 = performance.now();
      await fn();
      return Math.round(performance.now() - t0);
    };
    // Every page of a filter until no nextToken.
    const filterAll = async (input: Record<string, unknown>): Promise<number> => {
      let found = 0;
      let token: unknown;
      do {
        const out = await logs('FilterLogEvents', { logGroupName: '/bench/query', ...input, ...(token ? { nextToken: token } : {}) });
        found += (out['events'] as unknown[]).length;
        token = out['nextToken'];
      } while (token);
      return found;
    };
    const pageMs = await ms(() => logs('GetLogEvents', { logGroupName: '/bench/query', logStreamName: 'big', startFromHead: true, limit: 1000 }));
    let termFound = 0;
    const termMs = await ms(async () => (termFound = await filterAll({ filterPattern: '"GET /api/items/4242 "' })));
    let jsonFound = 0;
    const jsonMs = await ms(async () => (jsonFound = await filterAll({ filterPattern: '{ $.level = "error" && $.ms > 900 }' })));
    const windowFrom = base + Math.floor(STORED / 2) * step;
    let windowFound = 0;
    const windowMs = await ms(async () => (windowFound = await filterAll({ startTime: windowFrom, endTime: windowFrom + Math.floor(STORED / 100) * step, filterPattern: 'INFO' })));

    const describeRate = Math.round(DESCRIBES / describeSeconds);
    const events = BATCHES * BATCH;
    const eventRate = Math.round(events / ingestSeconds);
    return {
      rows: [
        { measure: 'DescribeTasks over HTTP (baseline: the emulator\'s plain API rate)', n: DESCRIBES, rate: `${describeRate} req/s`, ms: '' },
        { measure: `PutLogEvents, batches of ${BATCH} (~100 B), ${STREAMS} streams at once`, n: BATCHES, rate: `${eventRate} events/s (${Math.round(BATCHES / ingestSeconds)} batches/s)`, ms: '' },
        { measure: `GetLogEvents, one page of 1,000 of ${STORED} (baseline)`, n: 1, rate: '', ms: pageMs },
        { measure: `FilterLogEvents, a term over all ${STORED} events (${termFound} found)`, n: 1, rate: '', ms: termMs },
        { measure: `FilterLogEvents, a JSON pattern over all ${STORED} events (${jsonFound} found)`, n: 1, rate: '', ms: jsonMs },
        { measure: `FilterLogEvents, a 1% time window (${windowFound} found, index range)`, n: 1, rate: '', ms: windowMs },
      ],
      result: {
        description: 'one Node process, one core: client and emulator share the event loop; loopback HTTP keep-alive',
        describeTasksPerSecond: describeRate,
        putLogEvents: { batches: BATCHES, batchSize: BATCH, streams: STREAMS, eventsPerSecond: eventRate, batchesPerSecond: Math.round(BATCHES / ingestSeconds) },
        storedEvents: STORED,
        getLogEventsPageMs: pageMs,
        filterTermMs: termMs,
        filterTermFound: termFound,
        filterJsonMs: jsonMs,
        filterJsonFound: jsonFound,
        filterWindowMs: windowMs,
        filterWindowFound: windowFound,
      },
    };
  } finally {
    await fake?.close();
    agent.destroy();
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
