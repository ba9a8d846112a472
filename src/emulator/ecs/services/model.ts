/** The shapes the service reconciler's pure passes (reconcile, rollout, daemon) and its controller share. */
import type { ServiceRecord, TaskRecord } from '../records.js';

export interface InstanceInfo {
  arn: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  /** ACTIVE and satisfies the service's memberOf constraints (DAEMON services run one task on each of these). */
  eligible: boolean;
}

export interface ReconcileInput {
  service: ServiceRecord;
  /** Every task the service started that matters: all not STOPPED, plus STOPPED ones of the PRIMARY deployment. */
  tasks: readonly TaskRecord[];
  instances: readonly InstanceInfo[];
  now: number;
  /** Fresh ids: deployments (circuit-breaker rollbacks) and events. Injected so tests are repeatable. */
  ids: { deployment(): string; event(): string };
}

export interface StartAction {
  deploymentId: string;
  taskDefinition: string;
  count: number;
  /** DAEMON: the instance this task is for. */
  instanceArn?: string;
}

export interface StopAction {
  taskArn: string;
  reason: string;
}

export interface ReconcileResult {
  service: ServiceRecord;
  start: StartAction[];
  stop: StopAction[];
}

/** What the pure passes share: the input plus derived facts. */
export interface ReconcileView extends ReconcileInput {
  /** Tasks not STOPPED on instances that are not deregistered (stopping ones included). */
  counted: readonly TaskRecord[];
  instanceStatus(t: TaskRecord): 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  healthy(t: TaskRecord): boolean;
}
