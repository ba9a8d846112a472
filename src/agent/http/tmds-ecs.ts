/**
 * The ECS calls the task metadata server makes, built on @aws-sdk/client-ecs and handed to src/agent/http:
 *
 *   ListTagsForResource    with the agent's own client (instance credentials), for taskWithTags
 *   Get/UpdateTaskProtection with the calling task's role credentials: a short-lived client per call, so a
 *                          task can only ever act as itself (what its role allows), never as the instance
 */
import { GetTaskProtectionCommand, ListTagsForResourceCommand, UpdateTaskProtectionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { AgentConfig } from '../config/config.js';
import type { ProtectionRequest, TaskProtectionCalls } from './task-protection.js';
import type { ResourceTagsLookup } from './task-tags.js';
import { createEcsClient } from '../api/ecs-api.js';

export function ecsResourceTags(client: ECSClient): ResourceTagsLookup {
  return async (resourceArn, signal) => {
    const out = await client.send(new ListTagsForResourceCommand({ resourceArn }), { abortSignal: signal });
    return Object.fromEntries((out.tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
  };
}

export function ecsTaskProtection(config: AgentConfig): TaskProtectionCalls {
  const withTaskRole = async <T>(req: ProtectionRequest, run: (client: ECSClient) => Promise<T>): Promise<T> => {
    const c = req.credentials;
    const client = createEcsClient(config, {
      accessKeyId: c.accessKeyId ?? '',
      secretAccessKey: c.secretAccessKey ?? '',
      ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
    });
    try {
      return await run(client);
    } finally {
      client.destroy();
    }
  };
  return {
    get: (req) => withTaskRole(req, (client) => client.send(new GetTaskProtectionCommand({ cluster: req.cluster, tasks: [req.taskArn] }), { abortSignal: req.signal })),
    update: (req) =>
      withTaskRole(req, (client) =>
        client.send(
          new UpdateTaskProtectionCommand({ cluster: req.cluster, tasks: [req.taskArn], protectionEnabled: req.protectionEnabled, expiresInMinutes: req.expiresInMinutes }),
          { abortSignal: req.signal },
        ),
      ),
  };
}
