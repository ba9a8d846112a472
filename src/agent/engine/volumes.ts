/**
 * Task volumes (§3.5, §5.8):
 *
 *   host, sourcePath set          bind mount of the host path; nothing to create
 *   host, empty sourcePath        task-scoped `local` Docker volume ecs-<family>-<rev>-<volname>-<randhex>
 *   docker, scope task            task-scoped Docker volume (same name scheme, the configured driver)
 *   docker, scope shared          a volume named like the task volume, shared by tasks and never removed by the
 *                                 agent; created only with autoprovision, otherwise it must already exist
 *
 * ECS_SHARED_VOLUME_MATCH_FULL_CONFIG: like the official agent, an autoprovisioned shared volume that already
 * exists must then carry the task definition's labels and driver options (empty and absent count as equal); by
 * default the name is enough, which is Docker's own rule and the only one that holds across instances (volume
 * drivers need not keep labels and options). The driver is not compared, as in the official agent.
 *
 * Task-scoped volumes exist before any container of the task is pulled and are removed at task cleanup.
 */
import { randomBytes } from 'node:crypto';
import { BerthError } from '../../shared/errors.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { TaskRecord, TaskSpec, VolumeSpec } from '../model/task.js';

export function taskVolumeName(task: TaskSpec, volumeName: string, random: Buffer = randomBytes(10)): string {
  return `ecs-${task.family}-${task.version}-${volumeName.replace(/[^A-Za-z0-9_.-]/g, '')}-${random.toString('hex')}`;
}

export function isTaskScoped(v: VolumeSpec): boolean {
  return (v.type === 'host' && v.sourcePath === '') || (v.type === 'docker' && v.scope === 'task');
}

export interface ProvisionInput {
  rec: TaskRecord;
  runtime: ContainerRuntime;
  signal: AbortSignal;
  onChain: (fn: () => Promise<void> | void) => Promise<void>;
  save: () => void;
  /** ECS_SHARED_VOLUME_MATCH_FULL_CONFIG. */
  matchFullConfig?: boolean;
}

/** Go's %v of a map[string]string (keys sorted), as the official agent's reasons print them. */
function goMap(m: Record<string, string>): string {
  return `map[${Object.keys(m).sort().map((k) => `${k}:${m[k]}`).join(' ')}]`;
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

/** The official agent's check of an existing autoprovisioned shared volume against the task's configuration. */
async function checkExistingShared(runtime: ContainerRuntime, name: string, v: VolumeSpec, signal: AbortSignal): Promise<void> {
  const info = await runtime.inspectVolume?.(name, signal);
  if (!info) return;
  if (!sameMap(info.labels, v.labels)) {
    throw new BerthError('ResourceInitializationError', `intialize volume: non-autoprovisioned volume does not match existing volume labels: existing: ${goMap(info.labels)}, expected: ${goMap(v.labels)}`);
  }
  if (!sameMap(info.options, v.driverOpts)) {
    throw new BerthError('ResourceInitializationError', `initialize volume: non-autoprovisioned volume does not match existing volume options: existing: ${goMap(info.options)}, expected: ${goMap(v.driverOpts)}`);
  }
}

/** Creates what the task's volumes need; returns volume name -> Docker volume name. */
export async function provisionVolumes({ rec, runtime, signal, onChain, save, matchFullConfig = false }: ProvisionInput): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const volumes = (rec.spec.volumes ?? []).filter((v) => v.type === 'docker' || v.sourcePath === '');
  // Names are saved before the volumes are created, so a restart reuses them instead of leaking volumes.
  await onChain(() => {
    const names = { ...rec.state.volumes };
    for (const v of volumes) names[v.name] ??= isTaskScoped(v) ? taskVolumeName(rec.spec, v.name) : v.name;
    rec.state.volumes = names;
    save();
  });
  for (const v of volumes) {
    const name = rec.state.volumes?.[v.name] ?? v.name;
    const req = { name, driver: v.type === 'host' ? 'local' : v.driver, driverOpts: v.driverOpts, labels: v.labels };
    if (isTaskScoped(v)) {
      await runtime.createVolume(req, signal);
    } else if (!(await runtime.volumeExists(name, signal))) {
      if (!v.autoprovision) {
        throw new BerthError('ResourceInitializationError', `shared volume ${name} does not exist and autoprovision is false`);
      }
      await runtime.createVolume(req, signal);
    } else if (v.autoprovision && matchFullConfig) {
      await checkExistingShared(runtime, name, v, signal);
    }
    out[v.name] = name;
  }
  return out;
}

/** Task-scoped volumes to remove at cleanup. */
export function taskScopedVolumeNames(rec: TaskRecord): string[] {
  return (rec.spec.volumes ?? []).filter(isTaskScoped).flatMap((v) => {
    const n = rec.state.volumes?.[v.name];
    return n === undefined ? [] : [n];
  });
}

/** Cleanup (§5.8): `docker rm` of every container the task made (dropping its image reference), then its task-scoped volumes. */
export async function removeTaskResources(opts: { rec: TaskRecord; runtime: ContainerRuntime; images: { release(containerId: string): void }; signal: AbortSignal }): Promise<void> {
  for (const c of opts.rec.state.containers) {
    const ref = c.dockerId ?? c.dockerName;
    if (ref === undefined) continue;
    await opts.runtime.removeContainer(ref, opts.signal);
    if (c.dockerId !== undefined) opts.images.release(c.dockerId);
  }
  for (const v of taskScopedVolumeNames(opts.rec)) await opts.runtime.removeVolume(v, opts.signal);
}
