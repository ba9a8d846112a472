/**
 * Task IAM role credentials pushed by ACS, kept in memory only (never persisted, never logged; spec §6.6).
 * Keyed by credentialsId; there is no credentials endpoint in berth yet.
 */
import type { IAMRoleCredentials } from '../../shared/protocol/acs.js';

export interface StoredCredentials {
  taskArn: string;
  roleType: 'TaskApplication' | 'TaskExecution';
  credentials: IAMRoleCredentials;
}

export class CredentialsStore {
  private readonly byId = new Map<string, StoredCredentials>();

  put(entry: StoredCredentials): void {
    const id = entry.credentials.credentialsId;
    if (id) this.byId.set(id, entry);
  }

  get(credentialsId: string): StoredCredentials | undefined {
    return this.byId.get(credentialsId);
  }

  clear(): void {
    this.byId.clear();
  }
}
