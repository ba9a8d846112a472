/**
 * The credentials audit log (ECS_AUDIT_LOGFILE): one line per credentials request, served or refused, in the
 * official agent's format, version 2 (agent/logger/audit/entry_types.go), space separated, "-" for an empty field:
 *
 *   <time RFC 3339 UTC> <status> <source ip:port> "<path>" "<user agent>" <task ARN> <event type> 2 <cluster> <instance ARN>
 *
 *   2024-05-01T12:00:00Z 200 172.17.0.3:41234 "/v2/credentials" "aws-sdk-go/1.44" arn:aws:ecs:…:task/c/1 GetCredentials 2 c arn:aws:ecs:…:container-instance/c/9
 *
 * The path is the request path without the query and with /v2/credentials/<id> cut to /v2/credentials, exactly as
 * the official agent does: the credentials id is itself a secret, and the keys never come near this module.
 * Event type GetCredentials for task role credentials (and for requests naming no known id),
 * GetCredentialsExecutionRole for execution role credentials.
 *
 * One deliberate difference: berth refuses a task that asks for another task's credentials (credentials-handler.ts)
 * with the same 400 an unknown id gets, and records the owning task's ARN for it, where an unknown id has "-".
 */
import type { LogRotation } from '../config/endpoints.js';
import { RotatingFile } from './rotating-file.js';
import { realClock, type Clock } from '../../shared/clock.js';

export type AuditEventType = 'GetCredentials' | 'GetCredentialsExecutionRole';
export const AUDIT_LOG_VERSION = 2;

export interface AuditRequest {
  /** Source address and port as the socket reports them. */
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  /** The request target (path and query). */
  url: string;
  userAgent: string | undefined;
}

export interface AuditEntry {
  request: AuditRequest;
  status: number;
  /** The ARN of the task the credentials belong to; undefined when the id named none. */
  taskArn: string | undefined;
  eventType: AuditEventType;
}

export interface AuditContext {
  cluster: string;
  containerInstanceArn: string | undefined;
}

const field = (v: string | undefined): string => (v === undefined || v === '' ? '-' : v);

/** Go's RemoteAddr: "ip:port", IPv6 in brackets; IPv4-mapped IPv6 shown as IPv4. */
function remoteAddr(r: AuditRequest): string {
  if (r.remoteAddress === undefined) return '';
  const a = r.remoteAddress.startsWith('::ffff:') ? r.remoteAddress.slice(7) : r.remoteAddress;
  const host = a.includes(':') ? `[${a}]` : a;
  return r.remotePort === undefined ? host : `${host}:${r.remotePort}`;
}

/** The logged path: no query (/v1/credentials?id=… keeps its id out), no id after /v2/credentials/. */
export function auditPath(url: string): string {
  const q = url.search(/[?#]/);
  const p = q === -1 ? url : url.slice(0, q);
  return p.startsWith('/v2/credentials/') ? '/v2/credentials' : p;
}

/** A quoted field; a quote or control character inside cannot end the field or the line. */
function quoted(v: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${v.replace(/["\\]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, '?')}"`;
}

export function formatAuditLine(e: AuditEntry, ctx: AuditContext, now: Date): string {
  const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const common = [time, String(e.status), field(remoteAddr(e.request)), quoted(auditPath(e.request.url)), quoted(e.request.userAgent ?? ''), field(e.taskArn)];
  return [...common, e.eventType, String(AUDIT_LOG_VERSION), field(ctx.cluster), field(ctx.containerInstanceArn)].join(' ');
}

export interface AuditLog {
  record(entry: AuditEntry): void;
  close(): void;
}

export interface AuditLogOptions {
  file: string;
  rotation: LogRotation;
  context: () => AuditContext;
  clock?: Clock;
  onError?: (err: unknown) => void;
}

/**
 * The file (0600, directory 0700) is created at the first credentials request: an agent that never serves
 * credentials leaves no empty audit log behind. A path that cannot be written is reported through onError then.
 */
export function openAuditLog(opts: AuditLogOptions): AuditLog {
  const clock = opts.clock ?? realClock;
  const now = (): Date => new Date(clock.now());
  const file = new RotatingFile({ file: opts.file, rotation: opts.rotation, clock, onError: opts.onError });
  return {
    record: (entry) => void file.write(`${formatAuditLine(entry, opts.context(), now())}\n`),
    close: () => file.close(),
  };
}
