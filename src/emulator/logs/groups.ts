/**
 * Log groups, log streams, retention and tags: CreateLogGroup, DeleteLogGroup, DescribeLogGroups,
 * PutRetentionPolicy, DeleteRetentionPolicy, CreateLogStream, DeleteLogStream, DescribeLogStreams, TagResource,
 * UntagResource, ListTagsForResource and the older TagLogGroup / UntagLogGroup / ListTagsLogGroup.
 * Messages and limits are CloudWatch Logs' own (its API reference and "CloudWatch Logs quotas").
 */
import type { Account } from '../aws/service-deps.js';
import { groupNotFound, invalidParameter, logs, streamNotFound, type LogsDeps } from './service.js';
import type { LogGroupRecord, LogStreamRecord } from './store.js';

/** The retention periods CloudWatch Logs accepts, in days. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const MAX_TAGS = 50;
const DESCRIBE_LIMIT = 50;
export const DAY_MS = 86_400_000;

export function logGroupArn(account: Account, name: string): string {
  return `arn:aws:logs:${account.region}:${account.accountId}:log-group:${name}`;
}

/** A group named by name, or by ARN (with or without the trailing `:*`), as logGroupIdentifier allows. */
function groupNameFrom(deps: LogsDeps, identifier: string): string {
  if (!identifier.startsWith('arn:')) return identifier;
  const prefix = `arn:aws:logs:${deps.account.region}:${deps.account.accountId}:log-group:`;
  if (!identifier.startsWith(prefix)) throw groupNotFound();
  return identifier.slice(prefix.length).replace(/:\*$/, '');
}

/** logGroupName or logGroupIdentifier: exactly one of them, as the operations taking both require. */
export function requireGroup(deps: LogsDeps, input: { logGroupName?: string | undefined; logGroupIdentifier?: string | undefined }): LogGroupRecord {
  if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) {
    throw invalidParameter('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  const id = input.logGroupName ?? input.logGroupIdentifier;
  if (id === undefined) throw invalidParameter('Either LogGroup name or LogGroup ARN must be specified.');
  const group = deps.store.getGroup(groupNameFrom(deps, id));
  if (!group) throw groupNotFound();
  return group;
}

export function requireGroupNamed(deps: LogsDeps, name: string): LogGroupRecord {
  const group = deps.store.getGroup(name);
  if (!group) throw groupNotFound();
  return group;
}

/** The earliest event time the group still keeps (events before it have expired); 0 without a retention policy. */
export function retentionCutoff(group: LogGroupRecord, now: number): number {
  return group.retentionInDays === undefined ? 0 : now - group.retentionInDays * DAY_MS;
}

function pageToken(name: string): string {
  return Buffer.from(JSON.stringify({ after: name })).toString('base64');
}

function afterToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString()) as { after?: unknown };
    if (typeof v.after === 'string') return v.after;
  } catch {
    // answered below
  }
  throw invalidParameter('The specified nextToken is invalid.');
}

/** A page of `items` (sorted by name) after the token's name, and the token of the next page when there is one. */
function page<T extends { name: string }>(items: readonly T[], token: string | undefined, limit: number | undefined): { items: T[]; nextToken?: string } {
  const after = afterToken(token);
  const rest = after === undefined ? items : items.filter((i) => i.name > after);
  const n = limit ?? DESCRIBE_LIMIT;
  const out = rest.slice(0, n);
  return rest.length > n ? { items: out, nextToken: pageToken(out[out.length - 1]!.name) } : { items: out };
}

function groupView(deps: LogsDeps, g: LogGroupRecord): Record<string, unknown> {
  const arn = logGroupArn(deps.account, g.name);
  return {
    logGroupName: g.name,
    creationTime: g.createdAt,
    ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes: deps.store.storedBytes(g.name),
    ...(g.kmsKeyId !== undefined ? { kmsKeyId: g.kmsKeyId } : {}),
    logGroupClass: g.logGroupClass,
    logGroupArn: arn,
  };
}

function streamView(deps: LogsDeps, s: LogStreamRecord): Record<string, unknown> {
  return {
    logStreamName: s.name,
    creationTime: s.createdAt,
    ...(s.firstEventAt !== undefined ? { firstEventTimestamp: s.firstEventAt } : {}),
    ...(s.lastEventAt !== undefined ? { lastEventTimestamp: s.lastEventAt } : {}),
    ...(s.lastIngestionAt !== undefined ? { lastIngestionTime: s.lastIngestionAt } : {}),
    uploadSequenceToken: sequenceToken(s),
    arn: `${logGroupArn(deps.account, s.group)}:log-stream:${s.name}`,
    // CloudWatch Logs stopped reporting bytes per stream in 2019 and documents the member as always 0.
    storedBytes: 0,
  };
}

/** CloudWatch no longer checks sequence tokens; it still hands one out, and so does berth (56 digits, like its own). */
export function sequenceToken(s: LogStreamRecord): string {
  return String(s.lastIngestionAt ?? s.createdAt).padStart(56, '4');
}

function addTags(group: LogGroupRecord, tags: Record<string, string>): LogGroupRecord {
  const merged = { ...group.tags, ...tags };
  if (Object.keys(merged).length > MAX_TAGS) throw logs.error('TooManyTagsException', `A resource can have no more than ${MAX_TAGS} tags.`);
  return { ...group, tags: merged };
}

function removeTags(group: LogGroupRecord, keys: readonly string[]): LogGroupRecord {
  const tags = { ...group.tags };
  for (const k of keys) delete tags[k];
  return { ...group, tags };
}

/** TagResource and friends take a log group ARN (with or without `:*`); other resource types are not emulated. */
function groupFromArn(deps: LogsDeps, arn: string): LogGroupRecord {
  if (!/^arn:aws[\w-]*:logs:[^:]*:\d{12}:log-group:/.test(arn)) throw invalidParameter(`Invalid resource ARN: ${arn} (berth's CloudWatch Logs tags log groups only)`);
  return requireGroupNamed(deps, groupNameFrom(deps, arn));
}

logs.operation('CreateLogGroup', {
  errors: ['ResourceAlreadyExistsException', 'InvalidParameterException', 'LimitExceededException'],
  // Deletion protection needs DeleteLogGroup to refuse as CloudWatch does; not emulated yet, so refused by name.
  notEmulated: ['deletionProtectionEnabled'],
  handle(deps, input) {
    if (deps.store.getGroup(input.logGroupName)) throw logs.error('ResourceAlreadyExistsException', 'The specified log group already exists');
    const tags = input.tags ?? {};
    if (Object.keys(tags).length > MAX_TAGS) throw invalidParameter(`A resource can have no more than ${MAX_TAGS} tags.`);
    deps.store.putGroup({ name: input.logGroupName, createdAt: deps.now(), kmsKeyId: input.kmsKeyId, logGroupClass: input.logGroupClass ?? 'STANDARD', tags });
    return {};
  },
});

logs.operation('DeleteLogGroup', {
  errors: ['ResourceNotFoundException', 'InvalidParameterException'],
  handle(deps, input) {
    requireGroupNamed(deps, input.logGroupName);
    deps.store.deleteGroup(input.logGroupName);
    return {};
  },
});

logs.operation('DescribeLogGroups', {
  errors: ['InvalidParameterException'],
  // One account: linked (cross-account observability) accounts are not emulated.
  notEmulated: ['accountIdentifiers', 'includeLinkedAccounts'],
  handle(deps, input) {
    if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
      throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
    }
    if (input.logGroupIdentifiers !== undefined && (input.logGroupNamePrefix !== undefined || input.logGroupNamePattern !== undefined)) {
      throw invalidParameter('logGroupIdentifiers is mutually exclusive with logGroupNamePrefix and logGroupNamePattern.');
    }
    let groups = deps.store.listGroups(undefined, -1, input.logGroupNamePrefix ?? '');
    const pattern = input.logGroupNamePattern?.toLowerCase();
    if (pattern !== undefined) groups = groups.filter((g) => g.name.toLowerCase().includes(pattern));
    if (input.logGroupClass !== undefined) groups = groups.filter((g) => g.logGroupClass === input.logGroupClass);
    if (input.logGroupIdentifiers !== undefined) {
      const names = new Set(input.logGroupIdentifiers.map((id) => (id.startsWith('arn:') ? id.replace(/^arn:[^:]*:logs:[^:]*:\d{12}:log-group:/, '').replace(/:\*$/, '') : id)));
      groups = groups.filter((g) => names.has(g.name));
    }
    const { items, nextToken } = page(groups, input.nextToken, input.limit);
    return { logGroups: items.map((g) => groupView(deps, g)), ...(nextToken ? { nextToken } : {}) };
  },
});

logs.operation('PutRetentionPolicy', {
  errors: ['ResourceNotFoundException', 'InvalidParameterException'],
  handle(deps, input) {
    if (!(RETENTION_DAYS as readonly number[]).includes(input.retentionInDays)) {
      throw invalidParameter(
        `1 validation error detected: Value '${input.retentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
      );
    }
    const group = requireGroupNamed(deps, input.logGroupName);
    deps.store.putGroup({ ...group, retentionInDays: input.retentionInDays });
    return {};
  },
});

logs.operation('DeleteRetentionPolicy', {
  errors: ['ResourceNotFoundException', 'InvalidParameterException'],
  handle(deps, input) {
    const group = requireGroupNamed(deps, input.logGroupName);
    deps.store.putGroup({ ...group, retentionInDays: undefined });
    return {};
  },
});

logs.operation('CreateLogStream', {
  errors: ['ResourceAlreadyExistsException', 'ResourceNotFoundException', 'InvalidParameterException'],
  handle(deps, input) {
    requireGroupNamed(deps, input.logGroupName);
    if (deps.store.getStream(input.logGroupName, input.logStreamName)) throw logs.error('ResourceAlreadyExistsException', 'The specified log stream already exists');
    deps.store.createStream({ group: input.logGroupName, name: input.logStreamName, createdAt: deps.now() });
    return {};
  },
});

logs.operation('DeleteLogStream', {
  errors: ['ResourceNotFoundException', 'InvalidParameterException'],
  handle(deps, input) {
    requireGroupNamed(deps, input.logGroupName);
    if (!deps.store.getStream(input.logGroupName, input.logStreamName)) throw streamNotFound();
    deps.store.deleteStream(input.logGroupName, input.logStreamName);
    return {};
  },
});

logs.operation('DescribeLogStreams', {
  errors: ['ResourceNotFoundException', 'InvalidParameterException'],
  handle(deps, input) {
    const group = requireGroup(deps, input);
    const byTime = input.orderBy === 'LastEventTime';
    if (byTime && input.logStreamNamePrefix !== undefined) throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
    let streams = deps.store.listStreams(group.name);
    const prefix = input.logStreamNamePrefix;
    if (prefix !== undefined) streams = streams.filter((s) => s.name.startsWith(prefix));
    if (byTime) streams = [...streams].sort((a, b) => (a.lastEventAt ?? 0) - (b.lastEventAt ?? 0) || (a.name < b.name ? -1 : 1));
    if (input.descending) streams = [...streams].reverse();
    // Paging walks the order chosen; the token names the position in it.
    const start = input.nextToken === undefined ? 0 : streams.findIndex((s) => s.name === afterToken(input.nextToken)) + 1;
    if (start === 0 && input.nextToken !== undefined) throw invalidParameter('The specified nextToken is invalid.');
    const n = input.limit ?? DESCRIBE_LIMIT;
    const items = streams.slice(start, start + n);
    const more = start + n < streams.length;
    return { logStreams: items.map((s) => streamView(deps, s)), ...(more ? { nextToken: pageToken(items[items.length - 1]!.name) } : {}) };
  },
});

logs.operation('TagResource', {
  errors: ['ResourceNotFoundException', 'InvalidParameterException', 'TooManyTagsException'],
  handle(deps, input) {
    deps.store.putGroup(addTags(groupFromArn(deps, input.resourceArn), input.tags));
    return {};
  },
});

logs.operation('UntagResource', {
  errors: ['ResourceNotFoundException', 'InvalidParameterException'],
  handle(deps, input) {
    deps.store.putGroup(removeTags(groupFromArn(deps, input.resourceArn), input.tagKeys));
    return {};
  },
});

logs.operation('ListTagsForResource', {
  errors: ['ResourceNotFoundException', 'InvalidParameterException'],
  handle(deps, input) {
    return { tags: groupFromArn(deps, input.resourceArn).tags };
  },
});

logs.operation('TagLogGroup', {
  errors: ['ResourceNotFoundException', 'InvalidParameterException'],
  handle(deps, input) {
    deps.store.putGroup(addTags(requireGroupNamed(deps, input.logGroupName), input.tags));
    return {};
  },
});

logs.operation('UntagLogGroup', {
  errors: ['ResourceNotFoundException'],
  handle(deps, input) {
    deps.store.putGroup(removeTags(requireGroupNamed(deps, input.logGroupName), input.tags));
    return {};
  },
});

logs.operation('ListTagsLogGroup', {
  errors: ['ResourceNotFoundException'],
  handle(deps, input) {
    return { tags: requireGroupNamed(deps, input.logGroupName).tags };
  },
});
