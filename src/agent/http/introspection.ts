/**
 * The introspection API (spec §8.1): /v1/metadata, /v1/tasks (all, ?dockerid=, ?taskarn=), /license, and the
 * list of commands for any other path. Answers from the engine's records only: no Docker call per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AGENT_HASH, AGENT_VERSION } from '../config/version.js';
import { introspectionTask } from './responses.js';
import { sendJson } from './server.js';
import type { TaskView } from './task-view.js';

export interface IntrospectionOptions {
  view: TaskView;
  cluster: string;
  containerInstanceArn: () => string | undefined;
}

export const LICENSE_TEXT =
  'berth: an Amazon ECS container agent and local control plane, reimplemented in TypeScript.\n' +
  'Licensed under the Apache License, Version 2.0. It speaks the protocol of the Amazon ECS Container Agent\n' +
  '(Copyright Amazon.com, Inc. or its affiliates, Apache License 2.0) and contains none of its code.\n';

export const AVAILABLE_COMMANDS = ['/v1/metadata', '/v1/tasks', '/license'];

/** /v1/tasks?dockerid=: >12 chars must match exactly; <=12 is a short-id prefix, 400 when ambiguous (§8.1). */
function byDockerId(view: TaskView, id: string): { status: number; body: unknown } {
  const recs = view.records();
  if (id.length > 12) {
    const rec = recs.find((r) => r.state.containers.some((c) => c.dockerId === id));
    return rec ? { status: 200, body: introspectionTask(rec) } : { status: 404, body: {} };
  }
  const matches = recs.filter((r) => r.state.containers.some((c) => c.dockerId?.startsWith(id)));
  if (matches.length > 1) return { status: 400, body: {} };
  return matches[0] ? { status: 200, body: introspectionTask(matches[0]) } : { status: 404, body: {} };
}

export function introspectionHandler(opts: IntrospectionOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    switch (url.pathname) {
      case '/v1/metadata':
        return sendJson(res, 200, {
          Cluster: opts.cluster,
          ContainerInstanceArn: opts.containerInstanceArn() ?? null,
          Version: `Amazon ECS Agent - v${AGENT_VERSION} (${AGENT_HASH})`,
        });
      case '/v1/tasks': {
        const dockerId = url.searchParams.get('dockerid');
        const taskArn = url.searchParams.get('taskarn');
        if (dockerId !== null && taskArn !== null) return sendJson(res, 400, {});
        if (dockerId !== null) {
          const r = byDockerId(opts.view, dockerId);
          return sendJson(res, r.status, r.body);
        }
        if (taskArn !== null) {
          const rec = opts.view.byArn(taskArn);
          return rec ? sendJson(res, 200, introspectionTask(rec)) : sendJson(res, 404, {});
        }
        return sendJson(res, 200, { Tasks: opts.view.records().map(introspectionTask) });
      }
      case '/license':
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(LICENSE_TEXT);
        return;
      default:
        return sendJson(res, 200, { AvailableCommands: AVAILABLE_COMMANDS });
    }
  };
}
