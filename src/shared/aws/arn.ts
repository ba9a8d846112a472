import { randomBytes } from 'node:crypto';

/** ARNs in the long format ECS uses today: arn:aws:ecs:<region>:<account>:<type>/<cluster>/<id>. */
export interface ArnParts {
  region: string;
  account: string;
  resourceType: string;
  resource: string;
}

export function parseArn(arn: string): ArnParts | undefined {
  const m = /^arn:aws[a-z-]*:ecs:([^:]*):([^:]*):([^/]+)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  return { region: m[1]!, account: m[2]!, resourceType: m[3]!, resource: m[4]! };
}

export function isArn(s: string): boolean {
  return s.startsWith('arn:');
}

/** The last `/` segment: a task ID from a task ARN, an instance ID from an instance ARN. */
export function arnId(arn: string): string {
  const i = arn.lastIndexOf('/');
  return i === -1 ? arn : arn.slice(i + 1);
}

/** A 32-hex-digit ID, the shape ECS uses for task and container-instance IDs. */
export function newResourceId(): string {
  return randomBytes(16).toString('hex');
}

/** The cluster name from a name or a cluster ARN. */
export function clusterName(nameOrArn: string): string {
  const parts = parseArn(nameOrArn);
  return parts && parts.resourceType === 'cluster' ? parts.resource : nameOrArn;
}
