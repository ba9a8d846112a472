/**
 * Engine integration harness: a real agent (real Docker) behind the recording fake control plane. Each test file
 * gets its own slice of the engine's port range (50000-50999), a unique `engine-` cluster, a temp data dir and a
 * fast pull backoff; every container, volume and image it makes is removed in teardown.
 *
 * Tasks are written as ACS tasks (what the control plane sends), and the reported state is read back from the
 * SubmitTaskStateChange bodies, folded per container like ECS does.
 */
import type { Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { startAgent, type Agent } from '../../src/agent/index.js';
import { startFakeControlPlane, eventually, type FakeControlPlane } from './fake-control-plane.js';
import { docker, removeContainersWithLabel } from './docker.js';
import { agentConfig, tempDataDir, testLogger } from './agent-harness.js';

export const IMAGE = 'berth/busybox:latest';

export interface EngineRig {
  cluster: string;
  fake: FakeControlPlane;
  agent: Agent;
  /** A fresh task ARN in this rig's cluster. */
  arn(): string;
  /** Sends one PayloadMessage with these ACS tasks. */
  send(...tasks: Record<string, unknown>[]): void;
  /** The first state change of `arn` with `status`, waiting up to `timeoutMs`. */
  reported(arn: string, status: 'RUNNING' | 'STOPPED' | 'PENDING', timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Every container of `arn` as last reported (containerName -> ContainerStateChange). */
  containers(arn: string): Record<string, Record<string, unknown>>;
}

export interface RigOptions {
  /** Offset of this file's 100-port slice inside 50000-50999 (0..9). */
  slice: number;
  env?: Record<string, string>;
}

export async function engineRig(t: Test, opts: RigOptions): Promise<EngineRig> {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const cluster = `engine-${randomBytes(4).toString('hex')}`;
  t.teardown(() => removeClusterLeftovers(cluster));
  const lo = 50000 + opts.slice * 100;
  const config = agentConfig({
    cluster,
    backend: fake.url,
    dataDir: tempDataDir(t),
    portRange: `${lo}-${lo + 99}`,
    extra: {
      // Containers stay for inspection; teardown removes them.
      ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1h',
      BERTH_IMAGE_PULL_BACKOFF: '10ms,20ms',
      BERTH_INTROSPECTION_PORT: '0',
      BERTH_METADATA_PORT: '0',
      ...opts.env,
    },
  });
  const agent = await startAgent({ config, log: testLogger() });
  t.teardown(() => agent.close());
  const changes = () => fake.ofOperation('SubmitTaskStateChange').map((r) => r.body);
  const rig: EngineRig = {
    cluster,
    fake,
    agent,
    arn: () => `arn:aws:ecs:us-west-2:123456789012:task/${cluster}/${randomBytes(16).toString('hex')}`,
    send: (...tasks) => void fake.sendPayload(tasks),
    reported: (arn, status, timeoutMs = 30_000) =>
      eventually(`${status} of ${arn}`, () => changes().find((b) => b['task'] === arn && b['status'] === status), timeoutMs),
    containers(arn) {
      const out: Record<string, Record<string, unknown>> = {};
      for (const b of changes()) {
        if (b['task'] !== arn) continue;
        for (const c of (b['containers'] as Record<string, unknown>[] | undefined) ?? []) out[String(c['containerName'])] = c;
      }
      return out;
    },
  };
  return rig;
}

/** An ACS task of busybox containers; `containers` entries are ACS Container members (name and command at least). */
export function acsTask(arn: string, containers: Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    arn,
    family: 'engine-test',
    version: '1',
    desiredStatus: 'RUNNING',
    networkMode: 'bridge',
    launchType: 'EC2',
    containers: containers.map((c) => ({ image: IMAGE, essential: true, cpu: 0, memory: 32, portMappings: [], environment: {}, ...c })),
    volumes: [],
    ...extra,
  };
}

export function sh(script: string): string[] {
  return ['sh', '-c', script];
}

/** `docker inspect` of a task container, found by its labels. */
export function inspect(arn: string, container: string): { State: { StartedAt: string; FinishedAt: string; ExitCode: number; OOMKilled: boolean; Health?: { Status: string } }; HostConfig: Record<string, unknown>; Config: Record<string, unknown> } {
  const id = docker('ps', '-aq', '--no-trunc', '--filter', `label=com.amazonaws.ecs.task-arn=${arn}`, '--filter', `label=com.amazonaws.ecs.container-name=${container}`);
  if (!id) throw new Error(`no container ${container} for ${arn}`);
  return (JSON.parse(docker('inspect', id.split('\n')[0]!)) as ReturnType<typeof inspect>[])[0]!;
}

export const at = (s: string): number => Date.parse(s);

export function removeClusterLeftovers(cluster: string): void {
  removeContainersWithLabel('com.amazonaws.ecs.cluster', cluster);
}

export { eventually };
