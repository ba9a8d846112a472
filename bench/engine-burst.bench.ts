/**
 * Burst: (a) ONE PayloadMessage with 50 one-container tasks -> every RUNNING reported, against 50 parallel raw
 * Docker create+start of the same containers (target <= 1.05x; official agent 1.11x), and the payload ack
 * (target <= 50 ms; official ~700 ms). (b) ONE PayloadMessage stopping those 50 -> the last STOPPED reported
 * within 100 ms of the last container's exit (official: ~2 s later).
 * Stop baseline in the same run: the raw burst's 50 containers stopped with 50 parallel `docker stop` calls; when the
 * last call returned and when Docker's last `die` event arrived, after the last exit (State.FinishedAt). In
 * both runs, containerd's own last exit event (what berth listens to, src/agent/runtime/containerd-events.ts)
 * is timed too: the floor for any client of the runtime.
 */
import Docker from 'dockerode';
import { loadConfig, startAgent } from '../src/agent/index.js';
import { createLogger, silentLogger } from '../src/shared/log.js';
import { freePort } from './raw-docker.js';
import { ackOf, agentEnv, allReported, benchControlPlane, COMMAND, IMAGE, lastExit, newId, removeCluster, task, watchContainerdExits, watchDies } from './engine-rig.js';
import { summarize, type BenchOutcome } from './stats.js';

export const name = 'engine-burst';
const TASKS = Number(process.env['BERTH_BENCH_TASKS'] ?? 50);
const RUNS = Number(process.env['BERTH_BENCH_RUNS'] ?? 5);

interface RawRun {
  createStartMs: number;
  /** Docker's last die event (as a client sees it) after the last container's exit (State.FinishedAt). */
  dieEventLagMs: number;
  /** The last of the 50 `docker stop` calls returned this long after the last exit. */
  stopReturnLagMs: number;
  /** containerd's last exit event (as a client sees it) after the last exit; NaN without a containerd socket. */
  containerdLagMs: number;
}

async function rawBurst(docker: Docker, runIndex: number): Promise<RawRun> {
  const cluster = `engine-burst-raw-${process.pid}`;
  const ports = await Promise.all(Array.from({ length: TASKS }, () => freePort()));
  const t0 = performance.now();
  const containers = await Promise.all(ports.map(async (hostPort, i) => {
    const c = await docker.createContainer({
      name: `berth-bench-burst-raw-${process.pid}-${runIndex}-${i}`,
      Image: IMAGE,
      Cmd: COMMAND,
      Labels: { 'com.amazonaws.ecs.cluster': cluster },
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: { PortBindings: { '8080/tcp': [{ HostPort: String(hostPort) }] }, Memory: 32 * 2 ** 20, CpuShares: 2 },
    });
    await c.start();
    return c;
  }));
  const took = performance.now() - t0;
  // The stop baseline: the same 50 stopped with 50 parallel `docker stop` calls, as berth does (one per task).
  const dies = await watchDies(cluster);
  const exits = watchContainerdExits();
  await new Promise((r) => setTimeout(r, 100)); // the subscription is open
  const stopReturns = await Promise.all(containers.map(async (c) => {
    await c.stop({ t: 30 });
    return Date.now();
  }));
  await new Promise((r) => setTimeout(r, 200));
  dies.close();
  const exitedAt = await lastExit(cluster);
  const containerdAt = (await exits?.lastFor(cluster)) ?? NaN;
  exits?.close();
  await removeCluster(cluster);
  return { createStartMs: took, dieEventLagMs: Math.max(...dies.times) - exitedAt, stopReturnLagMs: Math.max(...stopReturns) - exitedAt, containerdLagMs: containerdAt - exitedAt };
}

interface BerthRun {
  runningMs: number;
  ackMs: number;
  stopLagMs: number;
  /** When Docker's own die event for the last container reached a client, after that container's exit. */
  dieEventLagMs: number;
  containerdLagMs: number;
}

async function berthBurst(): Promise<BerthRun> {
  const cp = await benchControlPlane('burst');
  const config = loadConfig(agentEnv(cp.cluster, cp.fake.url, cp.dataDir, '50700-50899'), { configFile: '/nonexistent/berth-bench' });
  const agent = await startAgent({ config, log: process.env['BERTH_BENCH_LOG'] ? createLogger({ level: 'debug' }) : silentLogger() });
  try {
    const ids = Array.from({ length: TASKS }, newId);
    const arns = ids.map((id) => `arn:aws:ecs:us-west-2:123456789012:task/${cp.cluster}/${id}`);
    const running = allReported(cp.fake, arns, 'RUNNING');
    const t0 = performance.now();
    const messageId = cp.fake.sendPayload(ids.map((id) => task(cp.cluster, id, 'RUNNING')));
    const acked = ackOf(cp.fake, messageId);
    const [tRunning, tAck] = await Promise.all([running, acked]);

    const dies = await watchDies(cp.cluster);
    const exits = watchContainerdExits();
    await new Promise((r) => setTimeout(r, 100)); // the subscription is open
    const stopped = allReported(cp.fake, arns, 'STOPPED');
    cp.fake.sendPayload(ids.map((id) => task(cp.cluster, id, 'STOPPED')));
    const tStopped = await stopped;
    const reportedAt = performance.timeOrigin + tStopped;
    await new Promise((r) => setTimeout(r, 200));
    dies.close();
    const exitedAt = await lastExit(cp.cluster);
    const containerdAt = (await exits?.lastFor(cp.cluster)) ?? NaN;
    exits?.close();
    return { runningMs: tRunning - t0, ackMs: tAck - t0, stopLagMs: reportedAt - exitedAt, dieEventLagMs: Math.max(...dies.times) - exitedAt, containerdLagMs: containerdAt - exitedAt };
  } finally {
    await agent.close();
    await cp.close();
  }
}

export async function run(): Promise<BenchOutcome> {
  const docker = new Docker();
  const rawRuns: RawRun[] = [];
  const berth: BerthRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    rawRuns.push(await rawBurst(docker, i));
    berth.push(await berthBurst());
  }
  const raw = rawRuns.map((r) => r.createStartMs);
  const rawS = summarize(raw);
  const rawDieLag = summarize(rawRuns.map((r) => r.dieEventLagMs));
  const rawStopReturn = summarize(rawRuns.map((r) => r.stopReturnLagMs));
  const running = summarize(berth.map((b) => b.runningMs));
  const ack = summarize(berth.map((b) => b.ackMs));
  const lag = summarize(berth.map((b) => b.stopLagMs));
  const dieLag = summarize(berth.map((b) => b.dieEventLagMs));
  const rawCtdLag = summarize(rawRuns.map((r) => r.containerdLagMs));
  const ctdLag = summarize(berth.map((b) => b.containerdLagMs));
  // Each berth run is paired with the raw run just before it, so load from other processes hits both alike.
  const ratios = berth.map((b, i) => b.runningMs / raw[i]!).sort((a, b) => a - b);
  const ratio = Math.round(ratios[Math.floor(ratios.length / 2)]! * 1000) / 1000;
  return {
    rows: [
      { measure: `raw docker: ${TASKS} parallel create+start (baseline)`, runs: rawS.runs, median_ms: rawS.medianMs, p90_ms: rawS.p90Ms, target: '' },
      { measure: `berth: one payload of ${TASKS} tasks -> all RUNNING reported`, runs: running.runs, median_ms: running.medianMs, p90_ms: running.p90Ms, target: '' },
      { measure: 'berth / raw docker (median of paired runs)', runs: ratios.length, median_ms: ratio, p90_ms: '', target: '<= 1.05 (official 1.11)' },
      { measure: 'payload acked', runs: ack.runs, median_ms: ack.medianMs, p90_ms: ack.p90Ms, target: '<= 50 ms (official ~700)' },
      { measure: `raw docker: ${TASKS} parallel stop, last stop call returned after the last exit (baseline)`, runs: rawStopReturn.runs, median_ms: rawStopReturn.medianMs, p90_ms: rawStopReturn.p90Ms, target: '' },
      { measure: `raw docker: ${TASKS} parallel stop, last die event after the last exit (baseline)`, runs: rawDieLag.runs, median_ms: rawDieLag.medianMs, p90_ms: rawDieLag.p90Ms, target: '' },
      { measure: "raw docker: containerd's last exit event after the last exit (baseline: the floor)", runs: rawCtdLag.runs, median_ms: rawCtdLag.medianMs, p90_ms: rawCtdLag.p90Ms, target: '' },
      { measure: "berth run: Docker's last die event after the last container exit", runs: dieLag.runs, median_ms: dieLag.medianMs, p90_ms: dieLag.p90Ms, target: '' },
      { measure: "berth run: containerd's last exit event after the last container exit", runs: ctdLag.runs, median_ms: ctdLag.medianMs, p90_ms: ctdLag.p90Ms, target: '' },
      { measure: 'last STOPPED reported after the last container exit', runs: lag.runs, median_ms: lag.medianMs, p90_ms: lag.p90Ms, target: '<= 100 ms (official ~2000)' },
    ],
    result: {
      description: `One PayloadMessage with ${TASKS} one-container tasks -> all RUNNING reported vs ${TASKS} parallel raw create+start; then one payload stopping them`,
      tasks: TASKS,
      runs: RUNS,
      baseline: { rawDockerParallelCreateStart: rawS },
      baselineStop: { rawLastStopReturnAfterLastExit: rawStopReturn, rawLastDieEventAfterLastExit: rawDieLag, berthRunLastDieEventAfterLastExit: dieLag, rawLastContainerdExitAfterLastExit: rawCtdLag, berthRunLastContainerdExitAfterLastExit: ctdLag },
      berth: { allRunningReported: running, ack, lastStoppedAfterLastExit: lag },
      ratio,
      pairedRatios: ratios.map((r) => Math.round(r * 1000) / 1000),
      meetsTargets: { ratio: ratio <= 1.05, ack: ack.medianMs <= 50, stopLag: lag.medianMs <= 100 },
    },
  };
}
