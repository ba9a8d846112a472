/**
 * /v1/credentials?id=<id> and /v2/credentials/<id> (spec §8.2): the task role (or execution role) credentials
 * ACS pushed, served only while their task is live, and only to the caller that owns them:
 *
 *   - task role, bridge (and awsvpc) task: the request's source address must be one of that task's container
 *     addresses. Another task that learned the id is refused (the "ECScape" lesson: an id alone is not enough
 *     wherever the caller can be identified). The refusal looks exactly like an unknown id, so it tells a
 *     prober nothing.
 *   - task role, host-mode task: callers share the host's addresses and cannot be told apart; served only when
 *     ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST is on, as with the official agent.
 *   - execution role: meant for the agent's side (the awslogs driver in dockerd asks from the host), so a
 *     caller that is any task's container is refused.
 *
 * Nothing secret is logged: refusals log the task ARN, role type and caller address, never the id or keys.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/log.js';
import type { CredentialsStore } from '../acs/credentials-store.js';
import { callerAddress, sendJson } from './server.js';
import type { TaskView } from './task-view.js';

export interface CredentialsHandlerOptions {
  store: CredentialsStore;
  view: TaskView;
  networkHost: boolean;
  log: Logger;
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { code, message, HTTPErrorCode: status });
}

/** The id from either form; '' when the request carries none. */
export function credentialsId(url: URL): { version: 'V1' | 'V2'; id: string } | undefined {
  if (url.pathname === '/v1/credentials') return { version: 'V1', id: url.searchParams.get('id') ?? '' };
  const m = /^\/v2\/credentials\/?(.*)$/.exec(url.pathname);
  return m ? { version: 'V2', id: decodeURIComponent(m[1] ?? '') } : undefined;
}

export async function serveCredentials(
  opts: CredentialsHandlerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  ask: { version: 'V1' | 'V2'; id: string },
  signal: AbortSignal,
): Promise<void> {
  const prefix = `Credentials${ask.version}Request`;
  if (ask.id === '') return error(res, 400, 'NoIdInRequest', `${prefix}: No Credential ID in the request`);
  const notFound = (): void => error(res, 400, 'InvalidIdInRequest', `${prefix}: Credentials not found`);
  const entry = opts.store.get(ask.id);
  if (!entry) return notFound();
  const rec = opts.view.byArn(entry.taskArn);
  const taskRole = entry.roleType === 'TaskApplication';
  if (!rec || (taskRole && rec.state.known === 'STOPPED')) {
    if (taskRole) opts.store.forgetTaskRole(entry.taskArn);
    if (!rec) opts.store.forgetTask(entry.taskArn);
    return notFound();
  }
  const caller = callerAddress(req);
  const refuse = (why: string): void => {
    opts.log.warn({ taskArn: entry.taskArn, roleType: entry.roleType, caller, why }, 'credentials request refused');
    notFound();
  };
  if (taskRole) {
    if (rec.spec.networkMode === 'host') {
      if (!opts.networkHost) return refuse('task IAM roles for host network mode are disabled');
    } else if (!(await opts.view.addressesOf(rec, signal)).has(caller)) {
      return refuse('caller is not a container of the task');
    }
  } else if (await opts.view.taskForAddress(caller, signal)) {
    return refuse('execution role credentials are not served to task containers');
  }
  const c = entry.credentials;
  sendJson(res, 200, {
    RoleArn: c.roleArn ?? '',
    AccessKeyId: c.accessKeyId ?? '',
    SecretAccessKey: c.secretAccessKey ?? '',
    Token: c.sessionToken ?? '',
    Expiration: c.expiration ?? '',
  });
}
