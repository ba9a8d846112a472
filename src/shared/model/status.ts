/**
 * Ordered statuses (spec §5.1). Comparisons are by rank, and a known status never goes backwards.
 *
 *   container:  NONE -> PULLED -> CREATED -> RUNNING -> STOPPED
 *   task:       NONE -> CREATED -> RUNNING -> STOPPED
 *
 * The backend (control plane) only ever sees PENDING / RUNNING / STOPPED.
 */
export const CONTAINER_STATUSES = ['NONE', 'PULLED', 'CREATED', 'RUNNING', 'STOPPED'] as const;
export type ContainerStatus = (typeof CONTAINER_STATUSES)[number];

export const TASK_STATUSES = ['NONE', 'CREATED', 'RUNNING', 'STOPPED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export type BackendStatus = 'PENDING' | 'RUNNING' | 'STOPPED';

export function containerRank(s: ContainerStatus): number {
  return CONTAINER_STATUSES.indexOf(s);
}

export function taskRank(s: TaskStatus): number {
  return TASK_STATUSES.indexOf(s);
}

export function isTerminal(s: ContainerStatus | TaskStatus): boolean {
  return s === 'STOPPED';
}

/** The later of two container statuses: how every update is applied, so a status never moves back. */
export function laterContainerStatus(a: ContainerStatus, b: ContainerStatus): ContainerStatus {
  return containerRank(b) > containerRank(a) ? b : a;
}

export function laterTaskStatus(a: TaskStatus, b: TaskStatus): TaskStatus {
  return taskRank(b) > taskRank(a) ? b : a;
}

/** §5.1: RUNNING and STOPPED verbatim, everything else PENDING. */
export function taskBackendStatus(s: TaskStatus): BackendStatus {
  return s === 'RUNNING' || s === 'STOPPED' ? s : 'PENDING';
}

/** §5.1: only RUNNING (steady state) and STOPPED are reportable for a container. */
export function containerBackendStatus(s: ContainerStatus): BackendStatus | undefined {
  return s === 'RUNNING' || s === 'STOPPED' ? s : undefined;
}

/** §5.2: the task's known status is the minimum over its containers, mapped. */
export function taskStatusFromContainers(statuses: readonly ContainerStatus[]): TaskStatus {
  if (statuses.length === 0) return 'NONE';
  const map = (s: ContainerStatus): TaskStatus =>
    s === 'STOPPED' ? 'STOPPED' : s === 'RUNNING' ? 'RUNNING' : s === 'CREATED' ? 'CREATED' : 'NONE';
  return statuses.map(map).reduce((min, s) => (taskRank(s) < taskRank(min) ? s : min));
}

/** ACS desiredStatus parsing (§3.3): DEAD -> STOPPED, UNKNOWN and anything odd -> NONE. */
export function parseDesiredTaskStatus(raw: string | undefined): TaskStatus {
  switch (raw) {
    case 'RUNNING':
      return 'RUNNING';
    case 'STOPPED':
    case 'DEAD':
      return 'STOPPED';
    case 'CREATED':
      return 'CREATED';
    default:
      return 'NONE';
  }
}
