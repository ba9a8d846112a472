/**
 * The labels and names the official agent gives task containers (spec §10), in one place: the engine sets them,
 * the reconciler and the untracked cleanup find containers by them, the awsvpc pause container carries them.
 * (testcontainers-node keeps its labels the same way, in utils/labels.ts.)
 */
import { randomBytes } from 'node:crypto';
import type { TaskSpec } from './task.js';

export const LABEL_TASK_ARN = 'com.amazonaws.ecs.task-arn';
export const LABEL_CONTAINER_NAME = 'com.amazonaws.ecs.container-name';
export const LABEL_FAMILY = 'com.amazonaws.ecs.task-definition-family';
export const LABEL_VERSION = 'com.amazonaws.ecs.task-definition-version';
export const LABEL_CLUSTER = 'com.amazonaws.ecs.cluster';

/** `ecs-<family>-<revision>-<name without [^A-Za-z0-9-]>-<20 hex>`, assigned once and persisted. */
export function dockerContainerName(task: TaskSpec, containerName: string, random: Buffer = randomBytes(10)): string {
  const clean = containerName.replace(/[^A-Za-z0-9-]/g, '');
  return `ecs-${task.family}-${task.version}-${clean}-${random.toString('hex')}`;
}

export function ecsLabels(task: TaskSpec, containerName: string, cluster: string): Record<string, string> {
  return {
    [LABEL_TASK_ARN]: task.arn,
    [LABEL_CONTAINER_NAME]: containerName,
    [LABEL_FAMILY]: task.family,
    [LABEL_VERSION]: task.version,
    [LABEL_CLUSTER]: cluster,
  };
}
