/**
 * Embeds a task's role credentials in its ACS Task (roleCredentials for the task definition's taskRoleArn,
 * executionRoleCredentials for its executionRoleArn), as ACS does in PayloadMessage (spec §3.3).
 */
import type { AcsTask } from '../../../shared/protocol/acs.js';
import type { CredentialsIssuer } from './issuer.js';

export interface CredentialedTask {
  taskArn: string;
  taskClusterArn: string;
  instanceArn: string;
}

function roleArn(body: Record<string, unknown>, key: 'taskRoleArn' | 'executionRoleArn'): string | undefined {
  const v = body[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Whether the task definition names any role, i.e. whether its payloads carry credentials. */
export function hasRoles(body: Record<string, unknown>): boolean {
  return roleArn(body, 'taskRoleArn') !== undefined || roleArn(body, 'executionRoleArn') !== undefined;
}

export function withRoleCredentials(acsTask: AcsTask, body: Record<string, unknown>, task: CredentialedTask, issuer: CredentialsIssuer): AcsTask {
  const out: AcsTask = { ...acsTask };
  const taskRole = roleArn(body, 'taskRoleArn');
  const executionRole = roleArn(body, 'executionRoleArn');
  if (taskRole) out.roleCredentials = issuer.credentialsFor(task, 'TaskApplication', taskRole);
  if (executionRole) out.executionRoleCredentials = issuer.credentialsFor(task, 'TaskExecution', executionRole);
  return out;
}
