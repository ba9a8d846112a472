/**
 * Where a task's containers log, read back the way a user would: awslogs containers from CloudWatch Logs (the
 * group and stream their options name, the stream prefix expanded as ECS expands it), containers on a driver
 * Docker can read back (json-file, local, journald) from Docker, and a clear reason for the rest.
 */
export type LogSource =
  | { container: string; kind: 'cloudwatch'; group: string; stream: string; region: string | undefined }
  | { container: string; kind: 'docker'; dockerId: string }
  | { container: string; kind: 'none'; why: string };

export interface ContainerLogFacts {
  name: string;
  /** The container's Docker id (DescribeTasks runtimeId), once it has one. */
  runtimeId?: string | undefined;
  logConfiguration?: { logDriver?: string | undefined; options?: Record<string, string> | undefined } | undefined;
}

/** Drivers whose logs `docker logs` reads back (Docker 20.10 reads these; others need its dual logging cache). */
const DOCKER_READABLE = new Set(['json-file', 'local', 'journald']);

export function logSourceFor(c: ContainerLogFacts, taskId: string): LogSource {
  const driver = c.logConfiguration?.logDriver ?? 'json-file';
  const options = c.logConfiguration?.options ?? {};
  if (driver === 'awslogs') {
    const group = options['awslogs-group'];
    if (!group) return { container: c.name, kind: 'none', why: 'its awslogs options name no awslogs-group' };
    const prefix = options['awslogs-stream-prefix'];
    const stream = options['awslogs-stream'] ?? (prefix ? `${prefix}/${c.name}/${taskId}` : undefined);
    if (!stream) return { container: c.name, kind: 'none', why: "its awslogs options name no stream and no prefix, so Docker named the stream after the container id: read it with 'aws logs describe-log-streams'" };
    return { container: c.name, kind: 'cloudwatch', group, stream, region: options['awslogs-region'] };
  }
  if (driver === 'none') return { container: c.name, kind: 'none', why: 'its log driver is none: it logs nowhere' };
  if (!DOCKER_READABLE.has(driver)) return { container: c.name, kind: 'none', why: `it logs to ${driver}, which berth logs cannot read back` };
  if (!c.runtimeId) return { container: c.name, kind: 'none', why: 'it has no Docker container yet' };
  return { container: c.name, kind: 'docker', dockerId: c.runtimeId };
}

/** `<id>` or a task ARN -> cluster (from the ARN when it has one) and id. */
export function parseTaskRef(ref: string, defaultCluster: string): { cluster: string; taskId: string; task: string } {
  const m = /^arn:aws[\w-]*:ecs:[^:]+:\d{12}:task\/(?:([^/]+)\/)?([^/]+)$/.exec(ref);
  if (m) return { cluster: m[1] ?? defaultCluster, taskId: m[2]!, task: ref };
  return { cluster: defaultCluster, taskId: ref, task: ref };
}
