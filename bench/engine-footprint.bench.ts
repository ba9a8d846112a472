/**
 * Agent footprint, as its own process (bundled with esbuild and run by plain node, no tsx loader):
 *   RSS idle (target <= 80 MB), beside Node with the same libraries loaded and idle (the baseline);
 *   RSS with 100 running tasks (target <= 0.2 MB more per task);
 *   CPU while idle with 50 running tasks (target <= 0.5% of one core; official 1.5%), over BERTH_BENCH_IDLE_SECONDS.
 *
 * What the baseline holds and the agent adds (measured with /proc/<pid>/smaps and v8.getHeapSpaceStatistics()):
 * the baseline imports @aws-sdk/client-ecs, better-sqlite3, dockerode, pino and ws and does nothing. The agent also
 * loads systeminformation (host facts at registration, ~1.2 MB heap) and @smithy/signature-v4 (ACS/TCS signing),
 * opens its SQLite database (~1.8 MB of better_sqlite3.node pages the baseline never touches), runs its HTTP
 * servers, ACS socket and Docker event stream, and touches more of the node binary (~1.7 MB). prom-client is not
 * loaded unless ECS_ENABLE_PROMETHEUS_METRICS is set.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { agentEnv, allReported, benchControlPlane, newId, task } from './engine-rig.js';
import type { BenchOutcome } from './stats.js';

export const name = 'engine-footprint';
const IDLE_SECONDS = Number(process.env['BERTH_BENCH_IDLE_SECONDS'] ?? 60);
/**
 * RSS a few seconds after startup or a burst still holds the garbage of that work: V8's memory reducer compacts
 * and returns it only after some quiet seconds (measured: the agent with 100 running tasks went from 80-114 MB
 * 5 s after the burst to 81-85 MB 30 s later). The settled readings are the steady state the targets are about;
 * the early ones are printed beside them.
 */
const SETTLE_SECONDS = Number(process.env['BERTH_BENCH_SETTLE_SECONDS'] ?? 30);
const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, '..', 'node_modules', '.cache', 'berth-bench');

/**
 * Code splitting keeps the agent's dynamic imports (prom-client only with ECS_ENABLE_PROMETHEUS_METRICS) lazy, as
 * they are in the shipped build (tsc output, one module per file); a single-file bundle would hoist them.
 */
async function bundle(entry: string): Promise<string> {
  const base = path.basename(entry, '.ts');
  const dir = path.join(outDir, base);
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [path.join(here, entry)], bundle: true, splitting: true, platform: 'node', format: 'esm', target: 'node20',
    packages: 'external', outdir: dir, outExtension: { '.js': '.mjs' }, logLevel: 'error',
  });
  return path.join(dir, `${base}.mjs`);
}

function start(file: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = fork(file, [], { env: { PATH: process.env['PATH'] ?? '', ...env }, execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

interface Memory {
  rss: number;
  heap: number;
}

/** RSS and V8 heap in use (MB) after a full GC in the child. RSS rarely shrinks after a GC; the heap does. */
async function memory(child: ChildProcess): Promise<Memory> {
  const heap = await new Promise<number>((resolve) => {
    child.once('message', (m: { heapUsedMb: number }) => resolve(m.heapUsedMb));
    child.send('gc');
  });
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid!}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
  return { rss, heap };
}
/** utime + stime in clock ticks (100 per second on Linux). */
const cpuTicks = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

export async function run(): Promise<BenchOutcome> {
  const [agentFile, baselineFile] = await Promise.all([bundle('engine-agent-main.ts'), bundle('engine-baseline-main.ts')]);

  const baseline = await start(baselineFile, {});
  await sleep(3000);
  const baselineMem = await memory(baseline);
  const baselineRss = baselineMem.rss;
  await sleep(SETTLE_SECONDS * 1000);
  const baselineSettled = await memory(baseline);
  await stop(baseline);

  const cp = await benchControlPlane('footprint');
  const agent = await start(agentFile, agentEnv(cp.cluster, cp.fake.url, cp.dataDir, '50400-50599'));
  try {
    await sleep(3000);
    const idle = await memory(agent);
    const idleRss = idle.rss;
    await sleep(SETTLE_SECONDS * 1000);
    const idleSettled = await memory(agent);

    const ids = Array.from({ length: 100 }, newId);
    const arn = (id: string) => `arn:aws:ecs:us-west-2:123456789012:task/${cp.cluster}/${id}`;
    const running = allReported(cp.fake, ids.map(arn), 'RUNNING', 300_000);
    cp.fake.sendPayload(ids.map((id) => task(cp.cluster, id, 'RUNNING')));
    await running;
    await sleep(5000);
    const with100 = await memory(agent);
    const rss100 = with100.rss;
    await sleep(SETTLE_SECONDS * 1000);
    const with100Settled = await memory(agent);

    const half = ids.slice(50);
    const stopped = allReported(cp.fake, half.map(arn), 'STOPPED', 120_000);
    cp.fake.sendPayload(half.map((id) => task(cp.cluster, id, 'STOPPED')));
    await stopped;
    await sleep(5000);
    const t0 = cpuTicks(agent.pid!);
    const w0 = performance.now();
    await sleep(IDLE_SECONDS * 1000);
    const cpuPct = ((cpuTicks(agent.pid!) - t0) / 100 / ((performance.now() - w0) / 1000)) * 100;
    const rss50 = (await memory(agent)).rss;

    const perTask = (rss100 - idleRss) / 100;
    const perTaskSettled = (with100Settled.rss - idleSettled.rss) / 100;
    const perTaskHeap = (with100.heap - idle.heap) / 100;
    return {
      rows: [
        { measure: 'node + ws, dockerode, pino, aws-sdk ECS, better-sqlite3, idle (baseline)', value: round(baselineRss), unit: 'MB RSS', target: '' },
        { measure: `baseline, settled (${SETTLE_SECONDS} s more)`, value: round(baselineSettled.rss), unit: 'MB RSS', target: '' },
        { measure: 'berth agent idle, 3 s after start', value: round(idleRss), unit: 'MB RSS', target: '' },
        { measure: `berth agent idle, settled (${SETTLE_SECONDS} s more)`, value: round(idleSettled.rss), unit: 'MB RSS', target: '<= 80 MB' },
        { measure: 'berth agent with 100 running tasks, 5 s after the burst', value: round(rss100), unit: 'MB RSS', target: '' },
        { measure: `berth agent with 100 running tasks, settled (${SETTLE_SECONDS} s more)`, value: round(with100Settled.rss), unit: 'MB RSS', target: '' },
        { measure: 'per running task (RSS, early readings)', value: round(perTask, 3), unit: 'MB', target: '' },
        { measure: 'per running task (RSS, settled readings)', value: round(perTaskSettled, 3), unit: 'MB', target: '<= 0.2 MB' },
        { measure: 'per running task (V8 heap in use)', value: round(perTaskHeap, 3), unit: 'MB', target: '' },
        { measure: 'V8 heap in use: baseline / agent idle / 100 tasks', value: `${round(baselineMem.heap)} / ${round(idle.heap)} / ${round(with100.heap)}`, unit: 'MB', target: '' },
        { measure: `CPU idle with 50 running tasks (${IDLE_SECONDS} s)`, value: round(cpuPct, 2), unit: '% of a core', target: '<= 0.5% (official 1.5%)' },
        { measure: 'berth agent with 50 running tasks', value: round(rss50), unit: 'MB RSS', target: '' },
      ],
      result: {
        description: 'Agent process RSS idle and with 100 running tasks; CPU while idle with 50 running tasks',
        baselineRssMb: round(baselineRss),
        baselineRssSettledMb: round(baselineSettled.rss),
        idleRssMb: round(idleRss),
        idleRssSettledMb: round(idleSettled.rss),
        rss100Mb: round(rss100),
        rss100SettledMb: round(with100Settled.rss),
        settleSeconds: SETTLE_SECONDS,
        perTaskMb: round(perTask, 3),
        perTaskSettledMb: round(perTaskSettled, 3),
        perTaskHeapMb: round(perTaskHeap, 3),
        heapMb: { baseline: round(baselineMem.heap), idle: round(idle.heap), with100: round(with100.heap) },
        idleCpuPercentWith50: round(cpuPct, 2),
        idleSeconds: IDLE_SECONDS,
        meetsTargets: { idleRss: idleSettled.rss <= 80, perTask: perTaskSettled <= 0.2, idleCpu: cpuPct <= 0.5 },
      },
    };
  } finally {
    await stop(agent);
    await cp.close();
  }
}
