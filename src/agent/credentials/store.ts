/**
 * Task IAM role credentials pushed by ACS (spec §4.2), kept in memory only: never persisted, never logged.
 * Keyed by credentialsId; each entry remembers its task. A refresh (IAMRoleCredentialsMessage) reuses the
 * id, so it replaces the entry in place and containers keep reading the same /v2/credentials/<id>.
 *
 * Lifetime: the task-role entry goes when the task reaches STOPPED, the execution-role entry when the task is
 * cleaned up (forgetTask). Entries are plain objects that the HTTP handler copies into its response; the class
 * has no toJSON/inspect of its secrets because nothing may ever serialise it into a log line.
 */
import type { IAMRoleCredentials } from '../../shared/protocol/acs.js';

export type RoleType = 'TaskApplication' | 'TaskExecution';

export interface StoredCredentials {
  taskArn: string;
  roleType: RoleType;
  credentials: IAMRoleCredentials;
}

export class CredentialsStore {
  private readonly byId = new Map<string, StoredCredentials>();
  /** taskArn -> roleType -> credentialsId: the ids a task's containers were given. */
  private readonly byTask = new Map<string, Map<RoleType, string>>();

  put(entry: StoredCredentials): void {
    const id = entry.credentials.credentialsId;
    if (!id) return;
    this.byId.set(id, entry);
    const roles = this.byTask.get(entry.taskArn) ?? new Map<RoleType, string>();
    roles.set(entry.roleType, id);
    this.byTask.set(entry.taskArn, roles);
  }

  get(credentialsId: string): StoredCredentials | undefined {
    return this.byId.get(credentialsId);
  }

  /** The id of the task's current credentials of that role, if ACS sent any. */
  idFor(taskArn: string, roleType: RoleType): string | undefined {
    return this.byTask.get(taskArn)?.get(roleType);
  }

  /** The task reached STOPPED: its application role is no longer served (§4.2). */
  forgetTaskRole(taskArn: string): void {
    this.forget(taskArn, 'TaskApplication');
  }

  /** The task was cleaned up: nothing of it is served any more. */
  forgetTask(taskArn: string): void {
    this.forget(taskArn, 'TaskApplication');
    this.forget(taskArn, 'TaskExecution');
    this.byTask.delete(taskArn);
  }

  /** Tasks that have credentials stored. */
  taskArns(): string[] {
    return [...this.byTask.keys()];
  }

  clear(): void {
    this.byId.clear();
    this.byTask.clear();
  }

  private forget(taskArn: string, roleType: RoleType): void {
    const roles = this.byTask.get(taskArn);
    const id = roles?.get(roleType);
    if (id === undefined) return;
    const entry = this.byId.get(id);
    if (entry?.taskArn === taskArn) this.byId.delete(id);
  }
}

/**
 * What a task's containers get for their task role (§8.3): AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, relative to
 * 169.254.170.2. Set when the task is accepted, like the official agent's task preparation, so the id is fixed
 * for the container's life; refreshes reuse it (§4.2).
 */
export function credentialsEnvironment(task: { roleCredentials?: { credentialsId?: string } }): Record<string, string> {
  const id = task.roleCredentials?.credentialsId;
  return id ? { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: `/v2/credentials/${id}` } : {};
}
