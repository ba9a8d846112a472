import type { NetworkBinding, TaskRecord } from '../records.js';
import { isTaskStatus, laterContainerStatus, laterTaskStatus } from './status.js';

/** SubmitTaskStateChange / SubmitContainerStateChange members the emulator applies (model names). */
export interface ContainerChange {
  containerName?: string;
  status?: string;
  exitCode?: number;
  reason?: string;
  runtimeId?: string;
  imageDigest?: string;
  networkBindings?: NetworkBinding[];
}

export interface TaskChange {
  status?: string;
  reason?: string;
  containers?: ContainerChange[];
  /** Epoch seconds, as on the wire. */
  pullStartedAt?: number;
  pullStoppedAt?: number;
  executionStoppedAt?: number;
}

export const ESSENTIAL_EXITED = 'Essential container in task exited';

const toMs = (s: number | undefined): number | undefined => (s === undefined ? undefined : Math.round(s * 1000));

/**
 * Pure: the task after the agent's report. Duplicates and stale reports are harmless because statuses only
 * move forward and per-container facts are overwritten with what the agent knows best.
 */
export function applyTaskChange(task: TaskRecord, change: TaskChange, nowMs: number): TaskRecord {
  const t: TaskRecord = { ...task, containers: task.containers.map((c) => ({ ...c })) };
  for (const cc of change.containers ?? []) {
    const c = t.containers.find((x) => x.name === cc.containerName);
    if (!c) continue;
    c.lastStatus = laterContainerStatus(c.lastStatus, cc.status);
    if (cc.exitCode !== undefined) c.exitCode = cc.exitCode;
    if (cc.reason) c.reason = cc.reason;
    if (cc.runtimeId) c.runtimeId = cc.runtimeId;
    if (cc.imageDigest) c.imageDigest = cc.imageDigest;
    if (cc.networkBindings && cc.networkBindings.length > 0) c.networkBindings = cc.networkBindings;
  }
  t.pullStartedAt = t.pullStartedAt ?? toMs(change.pullStartedAt);
  t.pullStoppedAt = toMs(change.pullStoppedAt) ?? t.pullStoppedAt;
  t.executionStoppedAt = t.executionStoppedAt ?? toMs(change.executionStoppedAt);

  if (isTaskStatus(change.status)) t.lastStatus = laterTaskStatus(t.lastStatus, change.status);
  if (t.lastStatus === 'RUNNING' || t.lastStatus === 'STOPPED') {
    // A task that went straight to STOPPED never started; only RUNNING sets startedAt.
    if (change.status === 'RUNNING') t.startedAt ??= nowMs;
    if (change.status === 'RUNNING') t.connectivityAt ??= nowMs;
  }
  if (t.lastStatus === 'STOPPED' && task.lastStatus !== 'STOPPED') finishStop(t, change, nowMs);
  t.version = task.version + 1;
  return t;
}

function finishStop(t: TaskRecord, change: TaskChange, nowMs: number): void {
  t.desiredStatus = 'STOPPED';
  t.stoppingAt ??= nowMs;
  t.stoppedAt = nowMs;
  t.executionStoppedAt ??= nowMs;
  for (const c of t.containers) c.lastStatus = 'STOPPED';
  if (t.stopCode) return; // a user stop keeps its code and reason
  const ran = t.startedAt !== undefined || t.containers.some((c) => c.exitCode !== undefined);
  if (!ran) {
    t.stopCode = 'TaskFailedToStart';
    t.stoppedReason = change.reason || t.containers.find((c) => c.reason)?.reason || 'Task failed to start';
    return;
  }
  const essentialExited = t.containers.some((c) => c.essential && c.exitCode !== undefined);
  t.stopCode = 'EssentialContainerExited';
  t.stoppedReason = essentialExited || !change.reason ? ESSENTIAL_EXITED : change.reason;
}
