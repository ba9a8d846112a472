import { randomInt } from 'node:crypto';
import type { DeploymentRecord } from '../records.js';

/** `ecs-svc/` and 19 digits, the shape of ECS deployment ids. */
export function newDeploymentId(): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < 19) digits += String(randomInt(0, 10));
  return `ecs-svc/${digits}`;
}

export function newDeployment(taskDefinition: string, desiredCount: number, now: number, id = newDeploymentId()): DeploymentRecord {
  return {
    id,
    status: 'PRIMARY',
    taskDefinition,
    desiredCount,
    failedTasks: 0,
    createdAt: now,
    updatedAt: now,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: 'ECS deployment ' + id + ' in progress.',
  };
}
