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
 * Every request, whatever its answer, also gets one line in the audit log (logfiles/audit-log.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/log.js';
import type { CredentialsStore } from '../credentials/store.js';
import type { AuditLog } from '../logfiles/audit-log.js';
import { callerAddress, sendJson } from './server.js';
import type { TaskView } from './task-view.js';

export interface CredentialsHandlerOptions {
  store: CredentialsStore;
  view: TaskView;
  networkHost: boolean;
  log: Logger;
  /** ECS_AUDIT_LOGFILE: every request is recorded here; absent when the audit log is disabled. */
  audit?: AuditLog | undefined;
}

/** The id from either form; '' when the request carries none. */
export function credentialsId(url: URL): { version: 'V1' | 'V2'; id: string } | undefined {
  if (url.pathname === '/v1/credentials') return { version: 'V1', id: url.searchParams.get('id') ?? '' };
  const m = /^\/v2\/credentials\/?(.*)$/.exec(url.pathname);
  return m ? { version: 'V2', id: decodeURIComponent(m[1] ?? '') } : undefined;
}

interface Outcome {
  status: number;
  body: unknown;
  /** For the audit line: the task the id belongs to, and which role. */
  taskArn?: string | undefined;
  roleType?: string | undefined;
}

const errorOutcome = (status: number, code: string, message: string, entry?: { taskArn: string; roleType: string }): Outcome => ({
  status,
  body: { code, message, HTTPErrorCode: status },
  taskArn: entry?.taskArn,
  roleType: entry?.roleType,
});

async function decide(opts: CredentialsHandlerOptions, req: IncomingMessage, ask: { version: 'V1' | 'V2'; id: string }, signal: AbortSignal): Promise<Outcome> {
  const prefix = `Credentials${ask.version}Request`;
  if (ask.id === '') return errorOutcome(400, 'NoIdInRequest', `${prefix}: No Credential ID in the request`);
  const notFound = (entry?: { taskArn: string; roleType: string }): Outcome => errorOutcome(400, 'InvalidIdInRequest', `${prefix}: Credentials not found`, entry);
  const entry = opts.store.get(ask.id);
  if (!entry) return notFound();
  const rec = opts.view.byArn(entry.taskArn);
  const taskRole = entry.roleType === 'TaskApplication';
  if (!rec || (taskRole && rec.state.known === 'STOPPED')) {
    if (taskRole) opts.store.forgetTaskRole(entry.taskArn);
    if (!rec) opts.store.forgetTask(entry.taskArn);
    return notFound(entry);
  }
  const caller = callerAddress(req);
  const refuse = (why: string): Outcome => {
    opts.log.warn({ taskArn: entry.taskArn, roleType: entry.roleType, caller, why }, 'credentials request refused');
    return notFound(entry);
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
  return {
    status: 200,
    body: {
      RoleArn: c.roleArn ?? '',
      AccessKeyId: c.accessKeyId ?? '',
      SecretAccessKey: c.secretAccessKey ?? '',
      Token: c.sessionToken ?? '',
      Expiration: c.expiration ?? '',
    },
    taskArn: entry.taskArn,
    roleType: entry.roleType,
  };
}

/** Answers the request and writes its audit line (served, refused or failed alike). */
export async function serveCredentials(
  opts: CredentialsHandlerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  ask: { version: 'V1' | 'V2'; id: string },
  signal: AbortSignal,
): Promise<void> {
  const audit = (o: Pick<Outcome, 'status' | 'taskArn' | 'roleType'>): void =>
    opts.audit?.record({
      request: { remoteAddress: req.socket.remoteAddress, remotePort: req.socket.remotePort, url: req.url ?? '', userAgent: req.headers['user-agent'] },
      status: o.status,
      taskArn: o.taskArn,
      eventType: o.roleType === 'TaskExecution' ? 'GetCredentialsExecutionRole' : 'GetCredentials',
    });
  let outcome: Outcome;
  try {
    outcome = await decide(opts, req, ask, signal);
  } catch (err) {
    audit({ status: 500 });
    throw err;
  }
  audit(outcome);
  sendJson(res, outcome.status, outcome.body);
}
