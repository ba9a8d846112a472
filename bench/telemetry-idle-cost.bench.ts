/**
 * What telemetry costs on an idle host: 50 idle tasks for 60 s (BERTH_BENCH_TELEMETRY_SECONDS to shorten).
 *
 * Phase 1 (agent): berth's agent runs in this process (process.cpuUsage is the agent's CPU) against an emulator
 * in a child process (not counted), with the 50 tasks RUNNING and TCS publishing at the production 20 s cadence.
 * Phase 2 (baseline): the agent is closed (containers keep running) and the same 50 containers are measured
 * without it. In both, the CPU of dockerd + containerd + every containerd-shim comes from /proc/<pid>/stat.
 * Targets: daemons at most 1.5 s/min above the baseline, agent at most 0.3 s/min. The official agent, with a
 * stats stream per container, measured 11.8 s/min against 0.8 s/min here.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { loadConfig, startAgent } from '../src/agent/index.js';
import { silentLogger } from '../src/shared/log.js';
import type { BenchOutcome } from './stats.js';

export const name = 'telemetry-idle-cost';

const TASKS = 50;
const CLK_TCK = 100;
const DAEMONS = new Set(['dockerd', 'containerd', 'containerd-shim', 'containerd-shim-runc-v2']);
const CREDS = { accessKeyId: 'AKIDBERTHBENCH', secretAccessKey: 'berth-bench-secret' };

/** utime + stime (clock ticks) of every dockerd / containerd / shim process. */
function daemonTicks(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!DAEMONS.has(comm)) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

async function measure(seconds: number): Promise<{ daemonSeconds: number; selfSeconds: number }> {
  const before = daemonTicks();
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const after = daemonTicks();
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return { daemonSeconds: ticks / CLK_TCK, selfSeconds: (cpu.user + cpu.system) / 1e6 };
}

async function startEmulatorChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const code = `const { startEmulator } = await import(${JSON.stringify(path.resolve('src/emulator/index.ts'))});
    const { silentLogger } = await import(${JSON.stringify(path.resolve('src/shared/log.ts'))});
    const emu = await startEmulator({ port: 0, dataDir: ${JSON.stringify(dataDir)}, log: silentLogger() });
    console.log(emu.url);
    process.on('SIGTERM', () => emu.close().then(() => process.exit(0)));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`emulator exited (${c})`)));
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
  });
  return { child, url };
}

export async function run(): Promise<BenchOutcome> {
  const seconds = Number(process.env['BERTH_BENCH_TELEMETRY_SECONDS'] ?? 60);
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-bench-telemetry-'));
  const cluster = `tcs-bench-${process.pid}`;
  const emu = await startEmulatorChild(path.join(dir, 'emulator'));
  const ecs = new ECSClient({ endpoint: emu.url, region: 'us-east-1', credentials: CREDS, maxAttempts: 1 });
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const config = loadConfig({
      ECS_CLUSTER: cluster, ECS_BACKEND_HOST: emu.url, ECS_DATADIR: path.join(dir, 'agent'), AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey, ECS_EXTERNAL: 'true',
      ECS_DYNAMIC_HOST_PORT_RANGE: '51000-51599', BERTH_INTROSPECTION_PORT: '0', BERTH_METADATA_PORT: '0',
      // e.g. '{"ECS_DISABLE_METRICS":"true","ECS_DISABLE_DOCKER_HEALTH_CHECK":"true"}' to see the agent without TCS
      ...(JSON.parse(process.env['BERTH_BENCH_AGENT_ENV'] ?? '{}') as Record<string, string>),
    }, { configFile: '/nonexistent/berth-bench-ecs.config' });
    const agent = await startAgent({ config, log: silentLogger() });
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'tcs-bench-idle', containerDefinitions: [{ name: 'idle', image: 'berth/busybox:latest', memory: 16, essential: true, command: ['sleep', '86400'] }] }));
    for (let n = 0; n < TASKS; n += 10) await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'tcs-bench-idle', count: Math.min(10, TASKS - n) }));
    const deadline = Date.now() + 300_000;
    for (;;) {
      const arns = (await ecs.send(new ListTasksCommand({ cluster, maxResults: 100 }))).taskArns ?? [];
      const running = arns.length === 0 ? 0 : ((await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? []).filter((t) => t.lastStatus === 'RUNNING').length;
      if (running >= TASKS) break;
      if (Date.now() > deadline) throw new Error(`only ${running} of ${TASKS} tasks RUNNING after 5 min`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await new Promise((r) => setTimeout(r, 15_000)); // let the start-up burst (reports, first publishes) settle
    const withAgent = await measure(seconds);
    await agent.close();
    const baseline = await measure(seconds);
    const perMin = (s: number): number => Math.round((s * 60 * 100) / seconds) / 100;
    const daemonsAbove = perMin(withAgent.daemonSeconds - baseline.daemonSeconds);
    const agentPerMin = perMin(withAgent.selfSeconds);
    return {
      rows: [
        { measure: 'dockerd+containerd+shims, with agent', 'cpu s/min': perMin(withAgent.daemonSeconds), target: '', ok: '' },
        { measure: 'dockerd+containerd+shims, no agent (baseline)', 'cpu s/min': perMin(baseline.daemonSeconds), target: '', ok: '' },
        { measure: 'daemons above baseline', 'cpu s/min': daemonsAbove, target: '<= 1.5', ok: daemonsAbove <= 1.5 ? 'yes' : 'NO' },
        { measure: 'berth agent (process.cpuUsage)', 'cpu s/min': agentPerMin, target: '<= 0.3', ok: agentPerMin <= 0.3 ? 'yes' : 'NO' },
      ],
      result: {
        tasks: TASKS,
        seconds,
        daemonsWithAgentPerMin: perMin(withAgent.daemonSeconds),
        daemonsBaselinePerMin: perMin(baseline.daemonSeconds),
        daemonsAbovePerMin: daemonsAbove,
        agentPerMin,
        targets: { daemonsAbovePerMin: 1.5, agentPerMin: 0.3 },
      },
    };
  } finally {
    ecs.destroy();
    emu.child.kill('SIGTERM');
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=com.amazonaws.ecs.cluster=${cluster}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
    if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}
