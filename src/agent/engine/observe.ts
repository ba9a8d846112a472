/**
 * Folding what Docker says about a container into its state (spec §10 "Inspect-to-status mapping"):
 * Running -> RUNNING; never started and no error -> CREATED; otherwise STOPPED with exit code and reason.
 * Statuses only move forward.
 */
import { BerthError } from '../../shared/errors.js';
import { laterContainerStatus } from '../../shared/model/status.js';
import type { ContainerInspect } from '../runtime/runtime.js';
import type { ContainerState } from '../model/task.js';

/** Sets the first reason only: later errors never overwrite the one that explains the stop. */
export function recordReason(c: ContainerState, err: unknown): void {
  if (c.reason !== undefined) return;
  c.reason = err instanceof BerthError ? err.toReason() : `${(err as Error).name ?? 'Error'}: ${(err as Error).message ?? String(err)}`.slice(0, 255);
}

/**
 * Docker health (§10 Health): healthy -> HEALTHY, unhealthy -> UNHEALTHY, starting/none -> unchanged.
 * Only for containers with healthCheckType docker.
 */
function applyHealth(c: ContainerState, info: ContainerInspect): void {
  const h = info.health;
  if (!h) return;
  c.healthOutput = h.output.slice(0, 1024);
  if (h.status === 'healthy') c.health = 'HEALTHY';
  else if (h.status === 'unhealthy') c.health = 'UNHEALTHY';
}

export function applyInspect(c: ContainerState, info: ContainerInspect, opts: { trackHealth?: boolean } = {}): void {
  c.dockerId = info.id;
  if (info.startedAt !== undefined) c.startedAt = info.startedAt;
  if (opts.trackHealth) applyHealth(c, info);
  if (info.running) {
    c.known = laterContainerStatus(c.known, 'RUNNING');
    c.bindings = info.bindings;
    return;
  }
  if (info.startedAt === undefined && info.error === '' && !info.dead) {
    c.known = laterContainerStatus(c.known, 'CREATED');
    return;
  }
  if (c.known !== 'STOPPED') {
    c.known = 'STOPPED';
    c.exitCode = info.exitCode;
    if (info.oomKilled) recordReason(c, new BerthError('OutOfMemoryError', 'Container killed due to memory usage'));
    else if (info.error !== '') recordReason(c, new BerthError('DockerStateError', info.error));
  }
}

export function markVanished(c: ContainerState): void {
  if (c.known === 'STOPPED') return;
  c.known = 'STOPPED';
  recordReason(c, new BerthError('ContainerVanishedError', 'No container matching saved ID found'));
}
