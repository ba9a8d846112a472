/**
 * Agent footprint, as its own process: the real CLI entry (src/cli.ts, bundled with esbuild and run by plain node,
 * no tsx loader) started as `berth agent`, exactly what the npm bin, scripts/install's wrapper, the Dockerfile and
 * the systemd unit run, JSON logs on stderr included (drained by the benchmark).
 *   RSS idle (target <= 80 MB), beside Node with the same libraries loaded and idle (the baseline, default V8 flags);
 *   RSS with 100 running tasks (target <= 0.2 MB more per task);
 *   CPU while idle with 50 running tasks (target <= 0.5% of one core; official 1.5%), over BERTH_BENCH_IDLE_SECONDS.
 * Both processes get the same extra node options: --expose-gc and bench/engine-footprint-hook.ts, which runs a full
 * GC when asked.
 *
 * What the baseline holds and the agent adds (measured with /proc/<pid>/smaps and v8.getHeapSpaceStatistics()):
 * the baseline imports @aws-sdk/client-ecs, better-sqlite3, dockerode, pino, systeminformation and ws and does nothing. The agent also
 * loads @smithy/signature-v4 (ACS/TCS signing), opens its SQLite database (~1.8 MB of better_sqlite3.node pages the
 * baseline never touches), runs its HTTP servers, ACS socket and Docker event stream, and touches more of the node
 * binary (~1.5 MB). It does not load the emulator, pino-pretty, prom-client (only with
 * ECS_ENABLE_PROMETHEUS_METRICS) (test/unit/cli/agent.footprint.test.ts).
 *
 * `berth agent` keeps V8's young generation at its initial 2 x 1 MB (src/cli/heap.ts); the baseline keeps V8's
 * default, which grows it to 2 x 8 MB while the libraries load. A second, informational baseline with the agent's
 * setting shows how much of the difference that setting is.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { agentEnv, allReported, benchControlPlane, newId, task } from './engine-rig.js';
import type { BenchOutcome } from './stats.js';

export const name = 'engine-footprint';
const IDLE_SECONDS = Number(process.env['BERTH_BENCH_IDLE_SECONDS'] ?? 60);
/**
 * RSS a few seconds after startup or a burst still holds some garbage of that work: V8's memory reducer compacts and
 * returns it only after some quiet seconds. The targets apply to both readings: early (3 s after ready, 5 s after
 * the burst) and settled (SETTLE_SECONDS later).
 */
const SETTLE_SECONDS = Number(process.env['BERTH_BENCH_SETTLE_SECONDS'] ?? 30);
/**
 * Idle RSS of the same code varies by 3-5 MB from one launch to the next (allocator and V8 timing), so the idle
 * readings of the baseline and of the agent are each the median of this many launches.
 */
const LAUNCHES = Number(process.env['BERTH_BENCH_LAUNCHES'] ?? 3);
const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, '..', 'node_modules', '.cache', 'berth-bench');

/**
 * Code splitting keeps the CLI's dynamic imports (each command's module, pino-pretty, prom-client) lazy, as they
 * are in the shipped build (tsc output, one module per file); a single-file bundle would hoist them.
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

const execArgv = (hook: string): string[] => ['--expose-gc', '--import', pathToFileURL(hook).href];

/** The baseline says "ready" over IPC once its libraries are loaded. */
function startBaseline(file: string, hook: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = fork(file, [], { env: { PATH: process.env['PATH'] ?? '', ...env }, execArgv: execArgv(hook), stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

/** `berth agent` is ready when it logs "agent ready" (registered, ACS connected), as an operator would see it. */
function startAgentCli(cli: string, hook: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = fork(cli, ['agent', '--config', '/nonexistent/berth-bench'], {
    env: { PATH: process.env['PATH'] ?? '', ...env }, execArgv: execArgv(hook), stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let tail: string[] = [];
  let partial = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      const lines = (partial + b.toString()).split('\n');
      partial = lines.pop() ?? '';
      tail = [...tail, ...lines].slice(-20);
      if (lines.some((l) => l.includes('"msg":"agent ready"'))) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`berth agent exited with ${code}:\n${tail.join('\n')}`)));
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

interface Readings {
  early: Memory;
  settled: Memory;
}

/** The median launch's early reading and the median launch's settled reading (by RSS). */
function medianReadings(runs: readonly Readings[]): Readings {
  const mid = (key: 'early' | 'settled'): Memory => runs.map((r) => r[key]).sort((a, b) => a.rss - b.rss)[Math.floor(runs.length / 2)]!;
  return { early: mid('early'), settled: mid('settled') };
}

export async function run(): Promise<BenchOutcome> {
  const [cli, baselineFile, hook] = await Promise.all([
    bundle(path.join('..', 'src', 'cli.ts')), bundle('engine-baseline-main.ts'), bundle('engine-footprint-hook.ts'),
  ]);

  /** RSS 3 s after ready and SETTLE_SECONDS later. */
  const readings = async (child: ChildProcess): Promise<Readings> => {
    await sleep(3000);
    const early = await memory(child);
    await sleep(SETTLE_SECONDS * 1000);
    return { early, settled: await memory(child) };
  };
  const launches = async (count: number, one: () => Promise<Readings>): Promise<Readings[]> => {
    const runs: Readings[] = [];
    for (let i = 0; i < count; i++) runs.push(await one());
    return runs;
  };
  const baselineReadings = async (env: Record<string, string>): Promise<Readings> => {
    const child = await startBaseline(baselineFile, hook, env);
    try {
      return await readings(child);
    } finally {
      await stop(child);
    }
  };
  const baselineRuns = await launches(LAUNCHES, () => baselineReadings({}));
  const baseline = medianReadings(baselineRuns);
  const baselineAgentHeap = await baselineReadings({ BERTH_BENCH_BASELINE_HEAP: 'agent' });
  /** An idle agent of its own (own fake control plane, data dir and cluster). */
  const extraIdleRuns = await launches(LAUNCHES - 1, async () => {
    const idleCp = await benchControlPlane('footprint-idle');
    const child = await startAgentCli(cli, hook, agentEnv(idleCp.cluster, idleCp.fake.url, idleCp.dataDir, '50400-50599'));
    try {
      return await readings(child);
    } finally {
      await stop(child);
      await idleCp.close();
    }
  });

  const cp = await benchControlPlane('footprint');
  const agent = await startAgentCli(cli, hook, agentEnv(cp.cluster, cp.fake.url, cp.dataDir, '50400-50599'));
  try {
    const { early: idle, settled: idleSettled } = await readings(agent);
    // The idle figures: the median over this agent and the extra launches (per-task costs stay paired in this one).
    const idleRuns = [...extraIdleRuns, { early: idle, settled: idleSettled }];
    const idleMedian = medianReadings(idleRuns);

    const ids = Array.from({ length: 100 }, newId);
    const arn = (id: string) => `arn:aws:ecs:us-west-2:123456789012:task/${cp.cluster}/${id}`;
    const running = allReported(cp.fake, ids.map(arn), 'RUNNING', 300_000);
    const burstStart = performance.now();
    cp.fake.sendPayload(ids.map((id) => task(cp.cluster, id, 'RUNNING')));
    const burstSeconds = ((await running) - burstStart) / 1000;
    await sleep(5000);
    const with100 = await memory(agent);
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

    const perTask = (with100.rss - idle.rss) / 100;
    const perTaskSettled = (with100Settled.rss - idleSettled.rss) / 100;
    const perTaskHeap = (with100.heap - idle.heap) / 100;
    const settled = `settled (${SETTLE_SECONDS} s more)`;
    return {
      rows: [
        { measure: `baseline: node + ws, dockerode, pino, systeminformation, aws-sdk ECS, better-sqlite3, idle, default V8 flags, 3 s after ready (median of ${LAUNCHES} launches)`, value: round(baseline.early.rss), unit: 'MB RSS', target: '' },
        { measure: `baseline, ${settled}`, value: round(baseline.settled.rss), unit: 'MB RSS', target: '' },
        { measure: "baseline with the agent's young-generation setting (informational), 3 s / settled", value: `${round(baselineAgentHeap.early.rss)} / ${round(baselineAgentHeap.settled.rss)}`, unit: 'MB RSS', target: '' },
        { measure: `\`berth agent\` idle, 3 s after ready (median of ${idleRuns.length} launches: ${idleRuns.map((r) => round(r.early.rss)).join(', ')})`, value: round(idleMedian.early.rss), unit: 'MB RSS', target: '<= 80 MB' },
        { measure: `\`berth agent\` idle, ${settled} (median: ${idleRuns.map((r) => round(r.settled.rss)).join(', ')})`, value: round(idleMedian.settled.rss), unit: 'MB RSS', target: '<= 80 MB' },
        { measure: `100 tasks started (payload -> all RUNNING reported)`, value: round(burstSeconds, 2), unit: 's', target: '' },
        { measure: '`berth agent` with 100 running tasks, 5 s after the burst', value: round(with100.rss), unit: 'MB RSS', target: '' },
        { measure: `\`berth agent\` with 100 running tasks, ${settled}`, value: round(with100Settled.rss), unit: 'MB RSS', target: '' },
        { measure: 'per running task (RSS, early readings)', value: round(perTask, 3), unit: 'MB', target: '<= 0.2 MB' },
        { measure: 'per running task (RSS, settled readings)', value: round(perTaskSettled, 3), unit: 'MB', target: '<= 0.2 MB' },
        { measure: 'per running task (V8 heap in use)', value: round(perTaskHeap, 3), unit: 'MB', target: '' },
        { measure: 'V8 heap in use: baseline / agent idle / 100 tasks', value: `${round(baseline.early.heap)} / ${round(idle.heap)} / ${round(with100.heap)}`, unit: 'MB', target: '' },
        { measure: `CPU idle with 50 running tasks (${IDLE_SECONDS} s)`, value: round(cpuPct, 2), unit: '% of a core', target: '<= 0.5% (official 1.5%)' },
        { measure: '`berth agent` with 50 running tasks', value: round(rss50), unit: 'MB RSS', target: '' },
      ],
      result: {
        description: 'RSS of `berth agent` (the real CLI entry) idle and with 100 running tasks, early and settled, beside '
          + 'Node with the same libraries (default V8 flags); CPU while idle with 50 running tasks',
        launch: 'node --expose-gc --import engine-footprint-hook <bundled src/cli.ts> agent',
        baselineRssMb: round(baseline.early.rss),
        baselineRssSettledMb: round(baseline.settled.rss),
        baselineAgentHeapSettingRssMb: { early: round(baselineAgentHeap.early.rss), settled: round(baselineAgentHeap.settled.rss) },
        launches: LAUNCHES,
        baselineLaunchesRssMb: baselineRuns.map((r) => ({ early: round(r.early.rss), settled: round(r.settled.rss) })),
        idleRssMb: round(idleMedian.early.rss),
        idleRssSettledMb: round(idleMedian.settled.rss),
        idleLaunchesRssMb: idleRuns.map((r) => ({ early: round(r.early.rss), settled: round(r.settled.rss) })),
        burstSeconds: round(burstSeconds, 2),
        rss100Mb: round(with100.rss),
        rss100SettledMb: round(with100Settled.rss),
        settleSeconds: SETTLE_SECONDS,
        perTaskMb: round(perTask, 3),
        perTaskSettledMb: round(perTaskSettled, 3),
        perTaskHeapMb: round(perTaskHeap, 3),
        heapMb: { baseline: round(baseline.early.heap), idle: round(idle.heap), with100: round(with100.heap) },
        idleCpuPercentWith50: round(cpuPct, 2),
        idleSeconds: IDLE_SECONDS,
        rss50Mb: round(rss50),
        meetsTargets: {
          idleRssEarly: idleMedian.early.rss <= 80,
          idleRssSettled: idleMedian.settled.rss <= 80,
          perTaskEarly: perTask <= 0.2,
          perTaskSettled: perTaskSettled <= 0.2,
          idleCpu: cpuPct <= 0.5,
        },
      },
    };
  } finally {
    await stop(agent);
    await cp.close();
  }
}
