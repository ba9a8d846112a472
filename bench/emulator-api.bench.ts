/**
 * Emulator API throughput on one core: DescribeTasks and RunTask requests per second over loopback HTTP,
 * client and emulator in this one Node process (one event loop = one core). A bounded load loop: N requests,
 * a fixed number in flight, keep-alive connections.
 *
 * Baselines in the same run: an empty HTTP server answering `{}` on the same loop with the same client (the
 * ceiling the HTTP stack and the client leave), and the handler alone (validate + transaction + handler,
 * no HTTP) for the raw cost of the ECS logic.
 */
import { createServer, request, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator } from '../src/emulator/index.js';
import '../src/emulator/ecs/api/handlers/index.js';
import { ecs } from '../src/emulator/ecs/api/service.js';
import { arnsFor } from '../src/emulator/ecs/arns.js';
import { openStore } from '../src/emulator/ecs/store.js';
import type { EmulatorContext } from '../src/emulator/ecs/context.js';
import { silentLogger } from '../src/shared/log.js';
import { FakeAgent } from '../test/kit/fake-agent.js';
import type { BenchOutcome } from './stats.js';

export const name = 'emulator-api';
const N = Number(process.env['BERTH_BENCH_REQUESTS'] ?? 20_000);
const RUN_N = Number(process.env['BERTH_BENCH_RUNTASKS'] ?? 5_000);
const CONCURRENCY = 16;
const TARGET_DESCRIBE_PER_S = 5000;
const TARGET = 'AmazonEC2ContainerServiceV20141113.';

/** N POSTs with `concurrency` in flight; returns requests per second. Every response must be 200. */
async function load(port: number, op: string, body: () => string, n: number, concurrency = CONCURRENCY): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let sent = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const payload = body();
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/',
          agent,
          headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': TARGET + op, 'Content-Length': Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${op}: HTTP ${res.statusCode} ${Buffer.concat(chunks).toString()}`))));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const worker = async (): Promise<void> => {
    while (sent < n) {
      sent++;
      await one();
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const s = (performance.now() - t0) / 1000;
  agent.destroy();
  return Math.round(n / s);
}

async function emptyServer(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': 2 }).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return server;
}

const call = async (url: string, op: string, input: object): Promise<Record<string, unknown>> => {
  const res = await fetch(`${url}/`, { method: 'POST', headers: { 'X-Amz-Target': TARGET + op, 'Content-Type': 'application/x-amz-json-1.1' }, body: JSON.stringify(input) });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${op}: ${JSON.stringify(body)}`);
  return body;
};

/** The handler path without HTTP: validate, one transaction, handler, JSON out. */
function rawHandlerPerSecond(dataDir: string, taskArn: string, n: number): number {
  const store = openStore(dataDir);
  const ctx: EmulatorContext = {
    store,
    arns: arnsFor('us-east-1', '000000000000'),
    log: silentLogger(),
    delivery: { isConnected: () => true, deliver: () => undefined },
    services: { changed: () => undefined },
    now: () => Date.now(),
  };
  const raw = JSON.stringify({ cluster: 'bench', tasks: [taskArn] });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const input = JSON.parse(raw) as Record<string, unknown>;
    JSON.stringify(ecs.invoke(ctx, 'DescribeTasks', input));
  }
  const rate = Math.round(n / ((performance.now() - t0) / 1000));
  store.close();
  return rate;
}

export async function run(): Promise<BenchOutcome> {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-bench-emu-'));
  const base = await emptyServer();
  const emu = await startEmulator({ port: 0, dataDir: dir, log: silentLogger(), heartbeatIntervalMs: 60_000 });
  const agents: FakeAgent[] = [];
  try {
    await call(emu.url, 'CreateCluster', { clusterName: 'bench' });
    for (let i = 0; i < 4; i++) {
      const reg = await call(emu.url, 'RegisterContainerInstance', {
        cluster: 'bench',
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: 1_000_000 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: 10_000_000 },
        ],
      });
      const arn = (reg['containerInstance'] as { containerInstanceArn: string }).containerInstanceArn;
      agents.push(await FakeAgent.connect(emu.url, 'bench', arn));
    }
    await call(emu.url, 'RegisterTaskDefinition', { family: 'bench', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 1 }] });
    const first = await call(emu.url, 'RunTask', { cluster: 'bench', taskDefinition: 'bench' });
    const taskArn = (first['tasks'] as { taskArn: string }[])[0]!.taskArn;
    const describeBody = JSON.stringify({ cluster: 'bench', tasks: [taskArn] });

    const emptyRps = await load((base.address() as AddressInfo).port, 'DescribeTasks', () => describeBody, N);
    const describeRps = await load(emu.port, 'DescribeTasks', () => describeBody, N);
    const runBody = JSON.stringify({ cluster: 'bench', taskDefinition: 'bench', placementStrategy: [{ type: 'spread', field: 'instanceId' }] });
    const runRps = await load(emu.port, 'RunTask', () => runBody, RUN_N);
    for (const a of agents) await a.close();
    await emu.close();
    const rawRps = rawHandlerPerSecond(dir, taskArn, N);
    return {
      rows: [
        { measure: 'empty HTTP server, same client (baseline)', requests: N, concurrency: CONCURRENCY, req_per_s: emptyRps },
        { measure: `DescribeTasks over HTTP (target >= ${TARGET_DESCRIBE_PER_S}/s)`, requests: N, concurrency: CONCURRENCY, req_per_s: describeRps },
        { measure: 'DescribeTasks handler only, no HTTP (baseline)', requests: N, concurrency: 1, req_per_s: rawRps },
        { measure: `RunTask over HTTP (1 task each, ${RUN_N} live tasks at the end)`, requests: RUN_N, concurrency: CONCURRENCY, req_per_s: runRps },
      ],
      result: {
        description: 'requests/s on one core: client and emulator share one Node event loop; loopback HTTP keep-alive',
        concurrency: CONCURRENCY,
        emptyServerPerSecond: emptyRps,
        describeTasksPerSecond: describeRps,
        describeTasksHandlerOnlyPerSecond: rawRps,
        runTaskPerSecond: runRps,
        runTaskRequests: RUN_N,
        targetDescribeTasksPerSecond: TARGET_DESCRIBE_PER_S,
        meetsTarget: describeRps >= TARGET_DESCRIBE_PER_S,
      },
    };
  } finally {
    for (const a of agents) await a.close();
    await emu.close();
    await new Promise<void>((r) => base.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
}
