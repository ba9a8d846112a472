/**
 * StopTask of one running task (a PayloadMessage with desiredStatus STOPPED) -> STOPPED reported, against a raw
 * `docker stop` of the same container (exits at once on SIGTERM). Target: within 15 ms of raw docker stop.
 */
import Docker from 'dockerode';
import { loadConfig, startAgent } from '../src/agent/index.js';
import { createLogger, silentLogger } from '../src/shared/log.js';
import { agentEnv, allReported, benchControlPlane, COMMAND, IMAGE, newId, removeCluster, task } from './engine-rig.js';
import { summarize, type BenchOutcome } from './stats.js';

export const name = 'engine-stop';
const RUNS = Number(process.env['BERTH_BENCH_RUNS'] ?? 15);
const TARGET_MS = 15;

async function rawStops(docker: Docker): Promise<number[]> {
  const cluster = `engine-stop-raw-${process.pid}`;
  const out: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const c = await docker.createContainer({ Image: IMAGE, Cmd: COMMAND, Labels: { 'com.amazonaws.ecs.cluster': cluster }, HostConfig: { Memory: 32 * 2 ** 20 } });
      await c.start();
      const t0 = performance.now();
      await c.stop({ t: 30 });
      out.push(performance.now() - t0);
      await c.remove({ force: true });
    }
  } finally {
    await removeCluster(cluster);
  }
  return out;
}

async function berthStops(): Promise<number[]> {
  const cp = await benchControlPlane('stop');
  const config = loadConfig(agentEnv(cp.cluster, cp.fake.url, cp.dataDir, '50600-50699'), { configFile: '/nonexistent/berth-bench' });
  const agent = await startAgent({ config, log: process.env['BERTH_BENCH_LOG'] ? createLogger({ level: 'debug' }) : silentLogger() });
  const out: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const id = newId();
      const arn = `arn:aws:ecs:us-west-2:123456789012:task/${cp.cluster}/${id}`;
      const running = allReported(cp.fake, [arn], 'RUNNING');
      cp.fake.sendPayload([task(cp.cluster, id, 'RUNNING')]);
      await running;
      await new Promise((r) => setTimeout(r, 200)); // let Docker settle, as the raw baseline does between steps
      const stopped = allReported(cp.fake, [arn], 'STOPPED');
      const t0 = performance.now();
      cp.fake.sendPayload([task(cp.cluster, id, 'STOPPED')]);
      out.push((await stopped) - t0);
    }
  } finally {
    await agent.close();
    await cp.close();
  }
  return out;
}

export async function run(): Promise<BenchOutcome> {
  const raw = summarize(await rawStops(new Docker()));
  const berth = summarize(await berthStops());
  const overhead = Math.round((berth.medianMs - raw.medianMs) * 10) / 10;
  return {
    rows: [
      { measure: 'raw docker stop (baseline)', runs: raw.runs, median_ms: raw.medianMs, p90_ms: raw.p90Ms, target: '' },
      { measure: 'berth: stop payload -> STOPPED reported', runs: berth.runs, median_ms: berth.medianMs, p90_ms: berth.p90Ms, target: '' },
      { measure: 'berth overhead at the median', runs: '', median_ms: overhead, p90_ms: '', target: `<= ${TARGET_MS} ms (official: StopTask -> STOPPED 159 ms)` },
    ],
    result: {
      description: 'ACS PayloadMessage desiredStatus STOPPED for one running task -> SubmitTaskStateChange STOPPED, vs raw docker stop',
      runs: RUNS,
      baseline: { rawDockerStop: raw },
      berth,
      overheadMedianMs: overhead,
      targetOverheadMs: TARGET_MS,
      meetsTarget: overhead <= TARGET_MS,
    },
  };
}
