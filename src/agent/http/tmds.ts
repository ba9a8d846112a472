/**
 * The task metadata server (spec §8.2): v2 (caller identified by source address), v3 and v4 (caller identified
 * by the per-container v3 endpoint id in the path), the credentials paths, and a shared 40 rps / 60 burst limit.
 *
 * v2 and bridge mode: the official agent identifies v2 callers only by their awsvpc task IP and answers 400 in
 * every other mode. berth knows each bridge container's address from inspect, so it identifies bridge callers
 * the same way; host-mode callers (the host's addresses) still get 400.
 *
 * The withTags paths ask ECS for tags on each request (task-tags.ts); /api/<v3id>/task-protection/v1/state
 * calls ECS with the task's role (task-protection.ts). Both sets of ECS calls are injected.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/log.js';
import type { TaskRecord } from '../model/task.js';
import type { StatsProvider } from '../stats/collector.js';
import { toDockerStatsJson } from '../stats/docker-stats.js';
import { credentialsId, serveCredentials, type CredentialsHandlerOptions } from './credentials-handler.js';
import { containerResponse, taskResponse, type ResponseContext } from './responses.js';
import { callerAddress, sendJson, TokenBucket } from './server.js';
import type { ContainerRef, TaskView } from './task-view.js';
import { serveTaskProtection, type TaskProtectionCalls } from './task-protection.js';
import { taskTagMembers, type ResourceTagsLookup, type TaskTagMembers } from './task-tags.js';

export interface TmdsOptions {
  view: TaskView;
  credentials: Omit<CredentialsHandlerOptions, 'view' | 'log'>;
  context: () => ResponseContext;
  stats: StatsProvider | undefined;
  log: Logger;
  /** ECS_TASK_METADATA_RPS_LIMIT: steady rate and burst. */
  rateLimit?: { ratePerSecond: number; burst: number };
  /** ECS ListTagsForResource with the instance credentials, for the withTags paths; absent = no tags. */
  resourceTags?: ResourceTagsLookup | undefined;
  /** ECS Get/UpdateTaskProtection with a task's role credentials; absent = the endpoint answers 404. */
  taskProtection?: TaskProtectionCalls | undefined;
}

const REQUEST_TIMEOUT_MS = 5000;

/** The withTags members for a task, asked of ECS now; undefined without a lookup. */
async function tagsOf(opts: TmdsOptions, rec: TaskRecord, signal: AbortSignal): Promise<TaskTagMembers | undefined> {
  if (!opts.resourceTags) return undefined;
  const tags = await taskTagMembers(opts.resourceTags, { containerInstanceArn: opts.context().containerInstanceArn, taskArn: rec.spec.arn }, signal);
  for (const e of tags.Errors) opts.log.warn({ taskArn: rec.spec.arn, field: e.ErrorField, resourceArn: e.ResourceARN, code: e.ErrorCode, message: e.ErrorMessage }, 'task metadata: cannot get tags');
  return tags;
}

async function statsOf(opts: TmdsOptions, rec: TaskRecord, dockerId: string | undefined, v4: boolean): Promise<Record<string, unknown> | null> {
  if (!opts.stats || dockerId === undefined) return null;
  const network = rec.spec.networkMode !== 'host' && rec.spec.networkMode !== 'none';
  const sample = await opts.stats.containerStats(dockerId, { network }).catch(() => undefined);
  if (!sample) return null;
  const name = rec.state.containers.find((c) => c.dockerId === dockerId)?.dockerName;
  const json = toDockerStatsJson(sample, { name });
  if (v4 && sample.rxBytesPerSecond !== undefined && sample.txBytesPerSecond !== undefined) {
    json['network_rate_stats'] = { rx_bytes_per_sec: sample.rxBytesPerSecond, tx_bytes_per_sec: sample.txBytesPerSecond };
  }
  return json;
}

async function taskStats(opts: TmdsOptions, rec: TaskRecord, v4: boolean): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const c of rec.state.containers) {
    if (c.dockerId !== undefined) out[c.dockerId] = await statsOf(opts, rec, c.dockerId, v4);
  }
  return out;
}

/** /v3/<id>[/...] and /v4/<id>[/...]. */
async function serveV3V4(opts: TmdsOptions, res: ServerResponse, v4: boolean, ref: ContainerRef, rest: string, signal: AbortSignal): Promise<void> {
  const { rec, spec, state } = ref;
  switch (rest) {
    case '':
    case '/': {
      const info = state.dockerId === undefined ? undefined : await opts.view.inspect(state.dockerId, signal).catch(() => undefined);
      return sendJson(res, 200, containerResponse(rec, spec, state, info, v4));
    }
    case '/task':
      return sendJson(res, 200, taskResponse(rec, await opts.view.details(rec, signal), opts.context(), v4));
    case '/taskWithTags': {
      const [details, tags] = await Promise.all([opts.view.details(rec, signal), tagsOf(opts, rec, signal)]);
      return sendJson(res, 200, taskResponse(rec, details, opts.context(), v4, tags));
    }
    case '/stats':
      return sendJson(res, 200, (await statsOf(opts, rec, state.dockerId, v4)) ?? {});
    case '/task/stats':
      return sendJson(res, 200, await taskStats(opts, rec, v4));
    default:
      if (rest.startsWith('/associations/')) return sendJson(res, 200, { Associations: [] });
      return sendJson(res, 404, `${v4 ? 'V4' : 'V3'} task metadata handler: no such path`);
  }
}

async function serveV2(opts: TmdsOptions, req: IncomingMessage, res: ServerResponse, path: string, signal: AbortSignal): Promise<void> {
  const caller = callerAddress(req);
  const rec = await opts.view.taskForAddress(caller, signal);
  if (!rec) return sendJson(res, 400, `Unable to get task arn from request: unable to associate '${caller}' with task`);
  const m = /^\/v2\/(metadataWithTags|metadata|stats)(?:\/(.*))?$/.exec(path);
  if (!m) return sendJson(res, 404, 'no such path');
  const [, kind, dockerId = ''] = m;
  if (dockerId !== '' && !rec.state.containers.some((c) => c.dockerId === dockerId)) {
    return sendJson(res, 400, `Unable to get container '${dockerId}' of task '${rec.spec.arn}'`);
  }
  if (kind === 'stats') {
    return sendJson(res, 200, dockerId === '' ? await taskStats(opts, rec, false) : ((await statsOf(opts, rec, dockerId, false)) ?? {}));
  }
  const [details, tags] = await Promise.all([opts.view.details(rec, signal), kind === 'metadataWithTags' && dockerId === '' ? tagsOf(opts, rec, signal) : undefined]);
  if (dockerId === '') return sendJson(res, 200, taskResponse(rec, details, opts.context(), false, tags));
  const state = rec.state.containers.find((c) => c.dockerId === dockerId)!;
  const spec = rec.spec.containers.find((c) => c.name === state.name)!;
  return sendJson(res, 200, containerResponse(rec, spec, state, details.get(state.name), false));
}

export function tmdsHandler(opts: TmdsOptions) {
  const bucket = new TokenBucket(opts.rateLimit ?? { ratePerSecond: 40, burst: 60 });
  const credentials: CredentialsHandlerOptions = { ...opts.credentials, view: opts.view, log: opts.log };
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!bucket.take()) return sendJson(res, 429, 'Too Many Requests');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    try {
      const cred = credentialsId(url);
      if (cred) return await serveCredentials(credentials, req, res, cred, signal);
      if (url.pathname.startsWith('/v2/')) return await serveV2(opts, req, res, url.pathname, signal);
      const api = /^\/api\/([^/]+)\/task-protection\/v1\/state$/.exec(url.pathname);
      if (api && opts.taskProtection) {
        const protection = { calls: opts.taskProtection, credentials: opts.credentials.store, cluster: opts.context().cluster, log: opts.log };
        return await serveTaskProtection(protection, req, res, opts.view.byV3Id(api[1]!), signal);
      }
      const m = /^\/(v3|v4)\/([^/]+)(\/.*)?$/.exec(url.pathname);
      if (m) {
        const v4 = m[1] === 'v4';
        const ref = opts.view.byV3Id(m[2]!);
        if (!ref) {
          return sendJson(res, v4 ? 404 : 400, `${v4 ? 'V4' : 'V3'} task metadata handler: unable to get task arn from request: unknown endpoint id`);
        }
        return await serveV3V4(opts, res, v4, ref, m[3] ?? '', signal);
      }
      return sendJson(res, 404, 'no such path');
    } catch (err) {
      opts.log.warn({ err, path: url.pathname.startsWith('/v2/credentials') ? '/v2/credentials' : url.pathname }, 'task metadata request failed');
      if (!res.headersSent) sendJson(res, 500, { code: 'InternalServerError', message: 'internal error', HTTPErrorCode: 500 });
    }
  };
}
