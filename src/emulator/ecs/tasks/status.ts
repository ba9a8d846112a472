import type { ContainerLastStatus, TaskLastStatus } from '../records.js';

/** ECS task lastStatus order; a status never moves backwards. */
export const TASK_STATUS_ORDER: readonly TaskLastStatus[] = [
  'PROVISIONING',
  'PENDING',
  'ACTIVATING',
  'RUNNING',
  'DEACTIVATING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
];

const CONTAINER_ORDER: readonly ContainerLastStatus[] = ['PENDING', 'RUNNING', 'STOPPED'];

export function isTaskStatus(s: unknown): s is TaskLastStatus {
  return typeof s === 'string' && (TASK_STATUS_ORDER as readonly string[]).includes(s);
}

export function laterTaskStatus(a: TaskLastStatus, b: TaskLastStatus): TaskLastStatus {
  return TASK_STATUS_ORDER.indexOf(b) > TASK_STATUS_ORDER.indexOf(a) ? b : a;
}

export function laterContainerStatus(a: ContainerLastStatus, b: string | undefined): ContainerLastStatus {
  const i = CONTAINER_ORDER.indexOf(b as ContainerLastStatus);
  return i > CONTAINER_ORDER.indexOf(a) ? CONTAINER_ORDER[i]! : a;
}

/** Counted as pending in cluster / instance counts. */
export function isPendingStatus(s: TaskLastStatus): boolean {
  return s === 'PROVISIONING' || s === 'PENDING' || s === 'ACTIVATING';
}
