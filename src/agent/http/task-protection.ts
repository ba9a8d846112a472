/**
 * Task scale-in protection for containers (spec §8.2): `GET|PUT /api/<v3id>/task-protection/v1/state`. The
 * agent calls ECS GetTaskProtection / UpdateTaskProtection for the caller's task, signed with that task's
 * *task role* credentials (never the instance's), and answers the official agent's JSON:
 *
 *   200 {"protection":{"ExpirationDate","ProtectionEnabled","TaskArn"}}     ECS protected the task / says how
 *   200 {"failure":{"Arn","Detail","Reason"}}                               ECS answered with a failure
 *   4xx/5xx {"requestID"?, "error":{"Arn"?,"Code","Message"}}               everything else
 *
 * Checks, in the official order: PUT body decodes (400) -> endpoint id names a task (404) -> PUT has
 * ProtectionEnabled (400) -> the task has task role credentials (403) -> the ECS call (its status, 504 on
 * timeout). The ECS calls are injected (./tmds-ecs.ts): no AWS client lives here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/log.js';
import type { IAMRoleCredentials } from '../../shared/protocol/acs-shapes.js';
import type { CredentialsStore } from '../credentials/store.js';
import { awsErrorFields } from './aws-error.js';
import { sendJson } from './server.js';
import type { ContainerRef } from './task-view.js';

export interface ProtectionRequest {
  cluster: string;
  taskArn: string;
  /** The task role credentials of the calling task. */
  credentials: IAMRoleCredentials;
  signal: AbortSignal;
}

/** GetTaskProtection / UpdateTaskProtection output (ecs-service-2.json members). */
export interface ProtectionAnswer {
  protectedTasks?: { taskArn?: string | undefined; protectionEnabled?: boolean | undefined; expirationDate?: Date | undefined }[] | undefined;
  failures?: { arn?: string | undefined; reason?: string | undefined; detail?: string | undefined }[] | undefined;
}

export interface TaskProtectionCalls {
  get(req: ProtectionRequest): Promise<ProtectionAnswer>;
  update(req: ProtectionRequest & { protectionEnabled: boolean; expiresInMinutes?: number }): Promise<ProtectionAnswer>;
}

export interface TaskProtectionOptions {
  calls: TaskProtectionCalls;
  credentials: CredentialsStore;
  cluster: string;
  log: Logger;
}

/** Under the server's 5 s request timeout, so a slow ECS still gets the official 504 answer. */
const ECS_CALL_TIMEOUT_MS = 4000;
const MAX_BODY = 64 * 1024;

const errorBody = (arn: string, code: string, message: string, requestId?: string): Record<string, unknown> => ({
  ...(requestId === undefined ? {} : { requestID: requestId }),
  error: { ...(arn ? { Arn: arn } : {}), Code: code, Message: message },
});

/** Go's time.Time JSON: RFC 3339 with the fraction's trailing zeros dropped. */
const goTime = (d: Date): string => d.toISOString().replace(/(\.\d*?)0+Z$/, '$1Z').replace(/\.Z$/, 'Z');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error('request body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

interface PutBody {
  protectionEnabled: boolean | undefined;
  expiresInMinutes: number | undefined;
}

/**
 * The PUT body as Go's decoder with DisallowUnknownFields reads it: field names match case-insensitively,
 * null is "absent", any other member or a wrong type is a decode error (undefined here).
 */
export function decodePutBody(text: string): PutBody | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const out: PutBody = { protectionEnabled: undefined, expiresInMinutes: undefined };
  for (const [key, v] of Object.entries(raw)) {
    const k = key.toLowerCase();
    if (k === 'protectionenabled') {
      if (v !== null && typeof v !== 'boolean') return undefined;
      out.protectionEnabled = v ?? undefined;
    } else if (k === 'expiresinminutes') {
      if (v !== null && !Number.isSafeInteger(v)) return undefined;
      out.expiresInMinutes = (v as number | null) ?? undefined;
    } else {
      return undefined;
    }
  }
  return out;
}

/** ECS's answer -> the TMDS answer: one failure, or exactly one protected task. */
function fromAnswer(taskArn: string, a: ProtectionAnswer): { status: number; body: Record<string, unknown> } {
  const failures = a.failures ?? [];
  const tasks = a.protectedTasks ?? [];
  if (failures.length > 1 || (failures.length === 0 && tasks.length !== 1)) {
    return { status: 500, body: errorBody(taskArn, 'ServerException', 'Unexpected error occurred') };
  }
  const f = failures[0];
  if (f) return { status: 200, body: { failure: { Arn: f.arn ?? null, Detail: f.detail ?? null, Reason: f.reason ?? null } } };
  const p = tasks[0]!;
  return {
    status: 200,
    body: { protection: { ExpirationDate: p.expirationDate ? goTime(p.expirationDate) : null, ProtectionEnabled: p.protectionEnabled ?? false, TaskArn: p.taskArn ?? null } },
  };
}

function fromError(taskArn: string, err: unknown, timedOut: boolean): { status: number; body: Record<string, unknown> } {
  if (timedOut) return { status: 504, body: errorBody(taskArn, 'RequestCanceled', 'Timed out calling ECS Task Protection API') };
  const f = awsErrorFields(err);
  if (f.code === undefined || f.statusCode === undefined) return { status: 500, body: errorBody(taskArn, 'ServerException', f.message) };
  return { status: f.statusCode, body: errorBody(taskArn, f.code, f.message, f.requestId ?? '') };
}

export async function serveTaskProtection(opts: TaskProtectionOptions, req: IncomingMessage, res: ServerResponse, ref: ContainerRef | undefined, signal: AbortSignal): Promise<void> {
  const put = req.method === 'PUT';
  if (!put && req.method !== 'GET') return sendJson(res, 405, 'Method Not Allowed');
  let body: PutBody | undefined;
  if (put) {
    body = decodePutBody(await readBody(req));
    if (!body) return sendJson(res, 400, errorBody('', 'InvalidParameterException', 'UpdateTaskProtection: failed to decode request'));
  }
  if (!ref) return sendJson(res, 404, errorBody('', 'ResourceNotFoundException', 'Failed to find a task for the request'));
  const taskArn = ref.rec.spec.arn;
  if (body && body.protectionEnabled === undefined) {
    return sendJson(res, 400, errorBody(taskArn, 'InvalidParameterException', "Invalid request: does not contain 'ProtectionEnabled' field"));
  }
  const id = opts.credentials.idFor(taskArn, 'TaskApplication');
  const credentials = id === undefined ? undefined : opts.credentials.get(id)?.credentials;
  if (!credentials) {
    return sendJson(res, 403, errorBody(taskArn, 'AccessDeniedException', 'Invalid Request: no task IAM role credentials available for task'));
  }
  const timeout = AbortSignal.timeout(ECS_CALL_TIMEOUT_MS);
  const call: ProtectionRequest = { cluster: opts.cluster, taskArn, credentials, signal: AbortSignal.any([signal, timeout]) };
  const op = put ? 'UpdateTaskProtection' : 'GetTaskProtection';
  opts.log.info({ taskArn, op, ...(body ? { protectionEnabled: body.protectionEnabled, expiresInMinutes: body.expiresInMinutes } : {}) }, 'task protection endpoint called');
  let out: { status: number; body: Record<string, unknown> };
  try {
    const answer = body
      ? await opts.calls.update({ ...call, protectionEnabled: body.protectionEnabled!, ...(body.expiresInMinutes === undefined ? {} : { expiresInMinutes: body.expiresInMinutes }) })
      : await opts.calls.get(call);
    out = fromAnswer(taskArn, answer);
  } catch (err) {
    out = fromError(taskArn, err, timeout.aborted || signal.aborted);
    opts.log.warn({ taskArn, op, status: out.status, err }, 'task protection call failed');
  }
  sendJson(res, out.status, out.body);
}
