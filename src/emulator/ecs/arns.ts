import { randomUUID } from 'node:crypto';
import { newResourceId } from '../../shared/aws/arn.js';

/** ARN builders for one emulated account and region. */
export interface Arns {
  readonly region: string;
  readonly accountId: string;
  cluster(name: string): string;
  taskDefinition(family: string, revision: number): string;
  task(cluster: string, id?: string): string;
  containerInstance(cluster: string, id?: string): string;
  container(cluster: string, taskId: string): string;
  service(cluster: string, name: string): string;
}

export function arnsFor(region: string, accountId: string): Arns {
  const base = `arn:aws:ecs:${region}:${accountId}`;
  return {
    region,
    accountId,
    cluster: (name) => `${base}:cluster/${name}`,
    taskDefinition: (family, revision) => `${base}:task-definition/${family}:${revision}`,
    task: (cluster, id = newResourceId()) => `${base}:task/${cluster}/${id}`,
    containerInstance: (cluster, id = newResourceId()) => `${base}:container-instance/${cluster}/${id}`,
    container: (cluster, taskId) => `${base}:container/${cluster}/${taskId}/${randomUUID()}`,
    service: (cluster, name) => `${base}:service/${cluster}/${name}`,
  };
}
