/**
 * Shared pieces of the networking e2e tests: the local images they need (built from host binaries, nothing
 * pulled), a one-agent cluster on the emulator, and small polling helpers around DescribeTasks.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type ECSClient, type RegisterTaskDefinitionCommandInput, type Task } from '@aws-sdk/client-ecs';
import type { Agent } from '../../src/agent/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { agentFor, ecsClient, emulatorOn, removeContainersOfCluster, removeDir, tempDir, waitFor } from './harness.js';

export const PAUSE_IMAGE = 'amazon/amazon-ecs-pause:0.1.0';
export const UDP_ECHO_IMAGE = 'berth/udp-echo:test';
/** Replies "echo:<datagram>" to every datagram on UDP 9000 (busybox nc has no UDP). */
export const UDP_ECHO_COMMAND = [
  '/usr/bin/perl',
  '-MIO::Socket::INET',
  '-e',
  '$SIG{TERM}=sub{exit 0}; $s=IO::Socket::INET->new(LocalPort=>9000,Proto=>"udp") or die "$!"; while(defined $s->recv($m,1024)){$s->send("echo:$m")}',
];

function imageExists(image: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function ensurePauseImage(): void {
  execFileSync(path.resolve('scripts/build-pause-image'), { stdio: 'inherit' });
}

/** The host's perl (always present on Debian: perl-base) and its libraries, imported as an image. */
export function ensureUdpEchoImage(): void {
  if (imageExists(UDP_ECHO_IMAGE)) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-udp-image-'));
  try {
    const libs = execFileSync('ldd', ['/usr/bin/perl'], { encoding: 'utf8' }).match(/\/[^\s)]+/g) ?? [];
    for (const file of ['/usr/bin/perl', ...libs]) {
      mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
      cpSync(file, path.join(dir, file), { dereference: true });
    }
    cpSync('/usr/lib/x86_64-linux-gnu/perl-base', path.join(dir, 'usr/lib/x86_64-linux-gnu/perl-base'), { recursive: true, dereference: true });
    execFileSync('sh', ['-c', `tar -C '${dir}' -c . | docker import - ${UDP_ECHO_IMAGE}`], { stdio: 'ignore' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface NetCluster {
  emulator: Emulator;
  ecs: ECSClient;
  agent: Agent;
  cluster: string;
  dir: string;
}

type Teardown = { teardown(fn: () => unknown): void };

/** An emulator, a cluster `net-<name>-<pid>` and one agent using `portRange`; all torn down with `t`. */
export async function netCluster(t: Teardown, name: string, opts: { portRange: string; agentEnv?: Record<string, string>; emulator?: (dir: string) => Promise<Emulator> }): Promise<NetCluster> {
  const dir = tempDir(`net-${name}`);
  const cluster = `net-${name}-${process.pid}`;
  const emulator = await (opts.emulator ?? ((d) => emulatorOn(d)))(`${dir}/emulator`);
  t.teardown(async () => {
    await emulator.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  const ecs = ecsClient(emulator.url);
  t.teardown(() => ecs.destroy());
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const agent = await agentFor({ cluster, backend: emulator.url, dataDir: `${dir}/agent`, portRange: opts.portRange, ...(opts.agentEnv ? { extra: opts.agentEnv } : {}) });
  t.teardown(() => agent.close());
  return { emulator, ecs, agent, cluster, dir };
}

export async function register(ecs: ECSClient, input: RegisterTaskDefinitionCommandInput): Promise<string> {
  const out = await ecs.send(new RegisterTaskDefinitionCommand(input));
  return out.taskDefinition!.taskDefinitionArn!;
}

export async function runOne(c: NetCluster, taskDefinition: string, extra: Record<string, unknown> = {}): Promise<string> {
  const run = await c.ecs.send(new RunTaskCommand({ cluster: c.cluster, taskDefinition, ...extra }));
  const arn = run.tasks?.[0]?.taskArn;
  if (!arn) throw new Error(`RunTask placed nothing: ${JSON.stringify(run.failures)}`);
  return arn;
}

export async function describe(c: NetCluster, arn: string): Promise<Task | undefined> {
  return (await c.ecs.send(new DescribeTasksCommand({ cluster: c.cluster, tasks: [arn] }))).tasks?.[0];
}

export function waitStatus(c: NetCluster, arn: string, status: 'RUNNING' | 'STOPPED', timeoutMs = 20_000): Promise<Task> {
  return waitFor(`task ${status}`, async () => {
    const task = await describe(c, arn);
    if (status === 'RUNNING' && task?.lastStatus === 'STOPPED') throw new Error(`task stopped: ${task.stoppedReason} ${JSON.stringify(task.containers?.map((x) => x.reason))}`);
    return task?.lastStatus === status ? task : undefined;
  }, timeoutMs);
}

export async function stopAndWait(c: NetCluster, arn: string): Promise<Task> {
  await c.ecs.send(new StopTaskCommand({ cluster: c.cluster, task: arn }));
  return waitStatus(c, arn, 'STOPPED');
}
