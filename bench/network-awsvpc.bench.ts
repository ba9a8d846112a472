/**
 * awsvpc task launch latency against a bridge task of the same image, through the real emulator and agent:
 * RunTask -> DescribeTasks lastStatus RUNNING (polled every 5 ms). The awsvpc figure includes the ENI
 * allocation, AttachTaskNetworkInterfacesMessage, the veth appearing, the agent's ATTACHED report, the
 * payload, the pause container, two CNI ADDs and the app container; the bridge figure only the payload and
 * the app container. Needs root (the simulated VPC makes links); says so and measures nothing otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { startEmulator } from '../src/emulator/index.js';
import { loadConfig, startAgent } from '../src/agent/index.js';
import { silentLogger } from '../src/shared/log.js';
import { summarize, type BenchOutcome, type Summary } from './stats.js';

export const name = 'network-awsvpc';
const RUNS = Number(process.env['BERTH_BENCH_RUNS'] ?? 10);
const REGION = 'us-east-1';
const tag = String(process.pid % 10000);
const VPC = { subnetCidr: '10.214.0.0/24', bridge: `bbvpc${tag}`, vethPrefix: `bb${tag}`, subnetId: 'subnet-0berthbench00001' };
const ECS_BRIDGE = `bbecs${tag}`;
const WEB = {
  name: 'web',
  image: 'berth/busybox:latest',
  essential: true,
  memory: 64,
  command: ['sh', '-c', 'trap "exit 0" TERM; httpd -f -p 80 -h /www & wait'],
};

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function launches(ecs: ECSClient, cluster: string, td: string, extra: Record<string, unknown>, runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: td, ...extra }));
    const arn = run.tasks?.[0]?.taskArn;
    if (!arn) throw new Error(`RunTask failed: ${JSON.stringify(run.failures)}`);
    const status = async (): Promise<string | undefined> => (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks?.[0]?.lastStatus;
    await until(async () => ((await status()) === 'RUNNING' ? true : undefined), 'RUNNING');
    samples.push(performance.now() - t0);
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await until(async () => ((await status()) === 'STOPPED' ? true : undefined), 'STOPPED');
  }
  return samples;
}

async function measure(runs: number): Promise<{ awsvpc: Summary; bridge: Summary }> {
  execFileSync(path.resolve('scripts/build-pause-image'), { stdio: 'inherit' });
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-bench-net-'));
  const cluster = `net-bench-${process.pid}`;
  const emulator = await startEmulator({ port: 0, dataDir: `${dir}/emulator`, region: REGION, log: silentLogger(), heartbeatIntervalMs: 1000, vpc: VPC });
  const ecs = new ECSClient({ endpoint: emulator.url, region: REGION, credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }, maxAttempts: 1 });
  let agent: Awaited<ReturnType<typeof startAgent>> | undefined;
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const config = loadConfig(
      {
        ECS_CLUSTER: cluster, ECS_BACKEND_HOST: emulator.url, ECS_DATADIR: `${dir}/agent`, AWS_DEFAULT_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench', ECS_EXTERNAL: 'true', ECS_ENABLE_TASK_ENI: 'true',
        BERTH_ECS_BRIDGE: ECS_BRIDGE, ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1s', ECS_CONTAINER_STOP_TIMEOUT: '5s',
        ECS_DYNAMIC_HOST_PORT_RANGE: '54400-54499', BERTH_INTROSPECTION_PORT: '0', BERTH_METADATA_PORT: '0',
      },
      { configFile: '/nonexistent/berth-bench' },
    );
    agent = await startAgent({ config, log: silentLogger() });
    const reg = async (family: string, networkMode: 'awsvpc' | 'bridge', ports: object[]): Promise<string> =>
      (await ecs.send(new RegisterTaskDefinitionCommand({ family, networkMode, containerDefinitions: [{ ...WEB, portMappings: ports }] }))).taskDefinition!.taskDefinitionArn!;
    const bridgeTd = await reg('net-bench-bridge', 'bridge', [{ containerPort: 80, hostPort: 0 }]);
    const awsvpcTd = await reg('net-bench-awsvpc', 'awsvpc', [{ containerPort: 80 }]);
    // One warm-up of each, so image and page caches are alike for both.
    await launches(ecs, cluster, bridgeTd, {}, 1);
    await launches(ecs, cluster, awsvpcTd, { networkConfiguration: { awsvpcConfiguration: { subnets: [VPC.subnetId] } } }, 1);
    const bridge = await launches(ecs, cluster, bridgeTd, {}, runs);
    const awsvpc = await launches(ecs, cluster, awsvpcTd, { networkConfiguration: { awsvpcConfiguration: { subnets: [VPC.subnetId] } } }, runs);
    return { awsvpc: summarize(awsvpc), bridge: summarize(bridge) };
  } finally {
    await agent?.close();
    await emulator.close();
    ecs.destroy();
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=com.amazonaws.ecs.cluster=${cluster}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
    if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
    for (const link of readdirSync('/sys/class/net')) {
      if (link.startsWith(VPC.vethPrefix) || link === VPC.bridge || link === ECS_BRIDGE) execFileSync('ip', ['link', 'del', link], { stdio: 'ignore' });
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchOutcome> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { rows: [{ measure: 'skipped: awsvpc needs root (links move between namespaces)', runs: 0, median_ms: '', p90_ms: '' }], result: { skipped: 'not root' } };
  }
  const r = await measure(RUNS);
  const extra = Math.round((r.awsvpc.medianMs - r.bridge.medianMs) * 10) / 10;
  return {
    rows: [
      { measure: 'RunTask -> RUNNING, awsvpc (ENI attach + pause + CNI)', runs: r.awsvpc.runs, median_ms: r.awsvpc.medianMs, p90_ms: r.awsvpc.p90Ms },
      { measure: 'RunTask -> RUNNING, bridge (baseline, same image)', runs: r.bridge.runs, median_ms: r.bridge.medianMs, p90_ms: r.bridge.p90Ms },
      { measure: 'awsvpc extra at the median', runs: '', median_ms: extra, p90_ms: '' },
    ],
    result: { description: 'RunTask -> lastStatus RUNNING through emulator + agent, awsvpc vs bridge, same busybox image', runs: RUNS, awsvpc: r.awsvpc, baseline: { bridge: r.bridge }, awsvpcExtraMedianMs: extra },
  };
}
