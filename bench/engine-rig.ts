/**
 * Shared pieces of the engine benchmarks: an agent behind the recording fake control plane (in this process,
 * or as a child process for memory/CPU figures), one-container busybox tasks, and report/ack timing.
 *
 * The agent runs with ECS_IMAGE_PULL_BEHAVIOR=prefer-cached, like the official agent's recorded run (its image
 * was local, ../shared/transcripts/README.md): there is no registry to pull from here.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { CONTAINERD_SOCKETS, streamContainerdEvents } from '../src/agent/runtime/containerd-events.js';
import { existsSync } from 'node:fs';
import { removeContainersWithLabel } from '../test/kit/docker.js';
import { startFakeControlPlane, type FakeControlPlane, type RecordedRequest } from '../test/kit/fake-control-plane.js';

export const IMAGE = 'berth/busybox:latest';
/** Exits at once on SIGTERM, like the transcripts' task. */
export const COMMAND = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];

export function agentEnv(cluster: string, backend: string, dataDir: string, portRange: string): Record<string, string> {
  return {
    ECS_CLUSTER: cluster,
    ECS_BACKEND_HOST: backend,
    ECS_DATADIR: dataDir,
    AWS_DEFAULT_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    ECS_EXTERNAL: 'true',
    ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1h',
    ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached',
    ECS_DYNAMIC_HOST_PORT_RANGE: portRange,
    BERTH_INTROSPECTION_PORT: '0',
    BERTH_METADATA_PORT: '0',
    ECS_DISABLE_METRICS: 'true',
    ECS_DISABLE_DOCKER_HEALTH_CHECK: 'true',
  };
}

export function task(cluster: string, id: string, desiredStatus: 'RUNNING' | 'STOPPED'): Record<string, unknown> {
  return {
    arn: `arn:aws:ecs:us-west-2:123456789012:task/${cluster}/${id}`,
    family: 'bench-engine',
    version: '1',
    desiredStatus,
    networkMode: 'bridge',
    launchType: 'EC2',
    containers: [{
      name: 'app', image: IMAGE, command: COMMAND, essential: true, cpu: 0, memory: 32,
      portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }], environment: {}, mountPoints: [], volumesFrom: [], links: [],
    }],
    volumes: [],
  };
}

export const newId = (): string => randomBytes(16).toString('hex');

/** Resolves with performance.now() when every task in `arns` has a `status` report. */
export function allReported(fake: FakeControlPlane, arns: readonly string[], status: string, timeoutMs = 120_000): Promise<number> {
  const left = new Set(arns);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${left.size} tasks without ${status} after ${timeoutMs} ms`)), timeoutMs);
    const off = fake.onRequest((r: RecordedRequest) => {
      if (r.operation !== 'SubmitTaskStateChange' || r.body['status'] !== status) return;
      left.delete(String(r.body['task']));
      if (left.size === 0) {
        clearTimeout(timer);
        off();
        resolve(performance.now());
      }
    });
  });
}

/** Resolves with performance.now() when the agent acks `messageId`. */
export function ackOf(fake: FakeControlPlane, messageId: string): Promise<number> {
  const conn = fake.connections[fake.connections.length - 1];
  if (!conn) throw new Error('no ACS connection');
  return new Promise((resolve) => {
    const onMessage = (data: unknown): void => {
      const frame = JSON.parse(String(data)) as { type: string; message: { messageId?: string } };
      if (frame.type === 'AckRequest' && frame.message.messageId === messageId) {
        conn.socket.off('message', onMessage);
        resolve(performance.now());
      }
    };
    conn.socket.on('message', onMessage);
  });
}

export interface BenchCp {
  fake: FakeControlPlane;
  dataDir: string;
  cluster: string;
  close(): Promise<void>;
}

export async function benchControlPlane(prefix: string): Promise<BenchCp> {
  const fake = await startFakeControlPlane();
  const dataDir = mkdtempSync(path.join(tmpdir(), `berth-${prefix}-`));
  const cluster = `engine-${prefix}-${process.pid}`;
  return {
    fake,
    dataDir,
    cluster,
    async close() {
      await fake.close();
      await removeCluster(cluster);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The cluster's containers, and the task cgroups they sat in (agents closed before their task cleanup leave them). */
export async function removeCluster(cluster: string): Promise<void> {
  removeContainersWithLabel('com.amazonaws.ecs.cluster', cluster);
}

/** The latest FinishedAt (epoch ms) of the cluster's containers, from docker inspect. */
export async function lastExit(cluster: string): Promise<number> {
  const docker = new Docker();
  const list = await docker.listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.cluster=${cluster}`] } });
  const times = await Promise.all(list.map(async (c) => Date.parse((await docker.getContainer(c.Id).inspect()).State.FinishedAt)));
  return Math.max(...times);
}

/**
 * The floor under any Docker client: when containerd's own exit events for the cluster's containers arrive here
 * (epoch ms); `lastFor(cluster)` after the stop. undefined when no containerd socket is found.
 */
export function watchContainerdExits(): { lastFor(cluster: string): Promise<number | undefined>; close(): void } | undefined {
  const socket = CONTAINERD_SOCKETS.find((p) => existsSync(p));
  if (!socket) return undefined;
  const arrivals = new Map<string, number>();
  const ac = new AbortController();
  streamContainerdEvents(socket, (e) => {
    if (e.kind === 'exit') arrivals.set(e.id, Date.now());
  }, ac.signal).catch(() => undefined);
  return {
    async lastFor(cluster) {
      const list = await new Docker().listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.cluster=${cluster}`] } });
      const times = list.map((c) => arrivals.get(c.Id)).filter((x): x is number => x !== undefined);
      return times.length === list.length && times.length > 0 ? Math.max(...times) : undefined;
    },
    close: () => ac.abort(),
  };
}

/** Records when Docker's `die` events for the cluster's containers arrive here (epoch ms). */
export async function watchDies(cluster: string): Promise<{ times: number[]; close(): void }> {
  const docker = new Docker();
  const times: number[] = [];
  const stream = (await docker.getEvents({ filters: JSON.stringify({ type: ['container'], event: ['die'], label: [`com.amazonaws.ecs.cluster=${cluster}`] }) })) as NodeJS.ReadableStream;
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) times.push(Date.now());
  });
  return { times, close: () => (stream as unknown as { destroy(): void }).destroy() };
}
