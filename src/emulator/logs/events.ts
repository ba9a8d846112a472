/**
 * Log events: PutLogEvents (what Docker's awslogs driver calls), GetLogEvents and FilterLogEvents, with
 * CloudWatch Logs' limits: at most 10,000 events and 1,048,576 bytes per batch (each event's UTF-8 message plus
 * 26 bytes), in chronological order, spanning at most 24 hours; events more than 2 hours ahead, more than 14 days
 * back or older than the group's retention are rejected (rejectedLogEventsInfo) and the rest stored. Sequence
 * tokens are accepted and ignored, as CloudWatch has done since 2023.
 *
 * GetLogEvents tokens are positions, `f/` or `b/` + 56 digits (the event's timestamp and id), so paging from one
 * is exact and a page with nothing new hands back the token it was given: the end, as CloudWatch signals it.
 */
import { compileFilterPattern, FilterPatternError, requiredSubstrings } from './filter-pattern.js';
import { DAY_MS, requireGroup, requireGroupNamed, retentionCutoff, sequenceToken } from './groups.js';
import { invalidParameter, logs, streamNotFound } from './service.js';
import type { EventPosition, LogEventRow } from './store.js';

export const MAX_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD_BYTES = 26;
const MAX_BATCH_SPAN_MS = DAY_MS;
const MAX_FUTURE_MS = 2 * 60 * 60 * 1000;
const MAX_AGE_MS = 14 * DAY_MS;
const MAX_EVENTS_PER_PAGE = 10_000;
const MAX_PAGE_BYTES = 1_048_576;

function positionToken(direction: 'f' | 'b', p: EventPosition): string {
  return `${direction}/${String(p.timestamp).padStart(20, '0')}${String(p.id).padStart(36, '0')}`;
}

function parsePositionToken(token: string): { direction: 'forward' | 'backward'; position: EventPosition } {
  const m = /^([fb])\/(\d{20})(\d{36})$/.exec(token);
  if (!m) throw invalidParameter('The specified nextToken is invalid.');
  return { direction: m[1] === 'f' ? 'forward' : 'backward', position: { timestamp: Number(m[2]), id: Number(m[3]) } };
}

const HEAD: EventPosition = { timestamp: 0, id: 0 };
const TAIL: EventPosition = { timestamp: Number.MAX_SAFE_INTEGER, id: Number.MAX_SAFE_INTEGER };

/** Takes events while the page stays within CloudWatch's 1 MB answer. */
function withinPageBytes<T extends { message: string }>(events: readonly T[], fromEnd: boolean): T[] {
  let bytes = 0;
  const ordered = fromEnd ? [...events].reverse() : events;
  const out: T[] = [];
  for (const e of ordered) {
    bytes += Buffer.byteLength(e.message) + EVENT_OVERHEAD_BYTES;
    if (bytes > MAX_PAGE_BYTES && out.length > 0) break;
    out.push(e);
  }
  return fromEnd ? out.reverse() : out;
}

logs.operation('PutLogEvents', {
  errors: ['ResourceNotFoundException', 'InvalidParameterException', 'InvalidSequenceTokenException', 'DataAlreadyAcceptedException'],
  // Entities (Application Signals / Explore related) are not emulated.
  notEmulated: ['entity'],
  handle(deps, input) {
    const group = requireGroupNamed(deps, input.logGroupName);
    const stream = deps.store.getStream(group.name, input.logStreamName);
    if (!stream) throw streamNotFound();
    const events = input.logEvents;
    for (let i = 1; i < events.length; i++) {
      if (events[i]!.timestamp < events[i - 1]!.timestamp) throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
    }
    if (events.length > 0 && events[events.length - 1]!.timestamp - events[0]!.timestamp > MAX_BATCH_SPAN_MS) {
      throw invalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
    }
    const bytes = events.reduce((n, e) => n + Buffer.byteLength(e.message) + EVENT_OVERHEAD_BYTES, 0);
    if (bytes > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);

    const now = deps.now();
    const tooOldBefore = now - MAX_AGE_MS;
    const expiredBefore = retentionCutoff(group, now);
    const tooNewAfter = now + MAX_FUTURE_MS;
    // Sorted, so the rejected ones are a run at each end: too old / expired first, too new last.
    let first = 0;
    let tooOldEnd: number | undefined;
    let expiredEnd: number | undefined;
    while (first < events.length && (events[first]!.timestamp < tooOldBefore || events[first]!.timestamp < expiredBefore)) {
      if (events[first]!.timestamp < expiredBefore) expiredEnd = first;
      if (events[first]!.timestamp < tooOldBefore) tooOldEnd = first;
      first++;
    }
    let end = events.length;
    while (end > first && events[end - 1]!.timestamp > tooNewAfter) end--;
    const accepted = events.slice(first, end);
    deps.store.appendEvents(group.name, stream.name, accepted, now);
    const rejected = {
      ...(end < events.length ? { tooNewLogEventStartIndex: end } : {}),
      ...(tooOldEnd !== undefined ? { tooOldLogEventEndIndex: tooOldEnd } : {}),
      ...(expiredEnd !== undefined ? { expiredLogEventEndIndex: expiredEnd } : {}),
    };
    const after = deps.store.getStream(group.name, stream.name) ?? stream;
    return { nextSequenceToken: sequenceToken(after), ...(Object.keys(rejected).length ? { rejectedLogEventsInfo: rejected } : {}) };
  },
});

logs.operation('GetLogEvents', {
  errors: ['ResourceNotFoundException', 'InvalidParameterException'],
  // Data protection (masking) is not emulated, so there is nothing to unmask.
  notEmulated: ['unmask'],
  handle(deps, input) {
    const group = requireGroup(deps, input);
    if (!deps.store.getStream(group.name, input.logStreamName)) throw streamNotFound();
    const range = { from: Math.max(input.startTime ?? 0, retentionCutoff(group, deps.now())), to: input.endTime ?? Number.MAX_SAFE_INTEGER };
    const limit = input.limit ?? MAX_EVENTS_PER_PAGE;
    const from = input.nextToken !== undefined ? parsePositionToken(input.nextToken) : input.startFromHead ? { direction: 'forward' as const, position: HEAD } : { direction: 'backward' as const, position: TAIL };
    const rows = deps.store.streamEvents(group.name, input.logStreamName, range, from.position, from.direction, limit);
    const events = withinPageBytes(rows, from.direction === 'backward');
    const firstEvent = events[0];
    const lastEvent = events[events.length - 1];
    return {
      events: events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
      nextForwardToken: positionToken('f', lastEvent ?? from.position),
      nextBackwardToken: positionToken('b', firstEvent ?? from.position),
    };
  },
});

function filterToken(p: EventPosition): string {
  return Buffer.from(JSON.stringify({ ts: p.timestamp, id: p.id })).toString('base64');
}

function parseFilterToken(token: string): EventPosition {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString()) as { ts?: unknown; id?: unknown };
    if (typeof v.ts === 'number' && typeof v.id === 'number') return { timestamp: v.ts, id: v.id };
  } catch {
    // answered below
  }
  throw invalidParameter('The specified nextToken is invalid.');
}

logs.operation('FilterLogEvents', {
  errors: ['ResourceNotFoundException', 'InvalidParameterException'],
  notEmulated: ['unmask'],
  handle(deps, input) {
    const group = requireGroup(deps, input);
    if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
      throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
    }
    let matches;
    try {
      matches = compileFilterPattern(input.filterPattern);
    } catch (err) {
      if (err instanceof FilterPatternError) throw invalidParameter(`Invalid filter pattern: ${err.message}`);
      throw err;
    }
    const streams = deps.store.listStreams(group.name).filter((s) =>
      input.logStreamNames !== undefined ? input.logStreamNames.includes(s.name) : input.logStreamNamePrefix === undefined || s.name.startsWith(input.logStreamNamePrefix),
    );
    const wanted = new Set(streams.map((s) => s.name));
    const range = { from: Math.max(input.startTime ?? 0, retentionCutoff(group, deps.now())), to: input.endTime ?? Number.MAX_SAFE_INTEGER };
    const limit = input.limit ?? MAX_EVENTS_PER_PAGE;
    const cursor = input.nextToken !== undefined ? parseFilterToken(input.nextToken) : undefined;
    const found: LogEventRow[] = [];
    let bytes = 0;
    let more = false;
    for (const row of deps.store.groupEvents(group.name, range, cursor, requiredSubstrings(input.filterPattern))) {
      if (!wanted.has(row.stream) || !matches(row.message)) continue;
      const size = Buffer.byteLength(row.message) + EVENT_OVERHEAD_BYTES;
      if (found.length === limit || (bytes + size > MAX_PAGE_BYTES && found.length > 0)) {
        more = true;
        break;
      }
      found.push(row);
      bytes += size;
    }
    const last = found[found.length - 1];
    return {
      events: found.map((e) => ({ logStreamName: e.stream, timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime, eventId: String(e.id).padStart(56, '0') })),
      searchedLogStreams: streams.map((s) => ({ logStreamName: s.name, searchedCompletely: !more })),
      ...(more && last ? { nextToken: filterToken(last) } : {}),
    };
  },
});
