/**
 * CloudWatch Logs' tables: groups, streams and events. Events are rows (not documents) with two indexes, one per
 * way they are read: a stream's events in time order (GetLogEvents) and a group's events in time order across
 * streams (FilterLogEvents), so a time-range query stays an index range scan at millions of events.
 * An event's position is (timestamp, id): id is the insertion order, which breaks ties as CloudWatch does.
 */
import type Database from 'better-sqlite3';
import { migrateService, type EmulatorDatabase } from '../store/database.js';

export interface LogGroupRecord {
  name: string;
  createdAt: number;
  retentionInDays?: number | undefined;
  kmsKeyId?: string | undefined;
  logGroupClass: string;
  tags: Record<string, string>;
}

export interface LogStreamRecord {
  group: string;
  name: string;
  createdAt: number;
  firstEventAt?: number | undefined;
  lastEventAt?: number | undefined;
  lastIngestionAt?: number | undefined;
}

export interface LogEventRow {
  id: number;
  stream: string;
  timestamp: number;
  ingestionTime: number;
  message: string;
}

/** Where a page starts: strictly after (forward) or before (backward) this position. */
export interface EventPosition {
  timestamp: number;
  id: number;
}

export interface EventRange {
  /** Inclusive. */
  from: number;
  /** Exclusive. */
  to: number;
}

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE log_groups (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL, doc TEXT NOT NULL);
   CREATE TABLE log_streams (
     group_name TEXT NOT NULL, name TEXT NOT NULL, created_at INTEGER NOT NULL,
     first_event INTEGER, last_event INTEGER, last_ingestion INTEGER,
     PRIMARY KEY (group_name, name));
   CREATE INDEX log_streams_last_event ON log_streams (group_name, last_event);
   CREATE TABLE log_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT, group_name TEXT NOT NULL, stream_name TEXT NOT NULL,
     ts INTEGER NOT NULL, ingestion INTEGER NOT NULL, message TEXT NOT NULL, bytes INTEGER NOT NULL);
   CREATE INDEX log_events_stream ON log_events (group_name, stream_name, ts, id);
   CREATE INDEX log_events_group ON log_events (group_name, ts, id);`,
];

export interface LogsStore {
  transaction<T>(fn: () => T): T;
  getGroup(name: string): LogGroupRecord | undefined;
  putGroup(rec: LogGroupRecord): void;
  /** Deletes the group with its streams and events. */
  deleteGroup(name: string): void;
  /** By name, after `after` (exclusive), at most `limit`. */
  listGroups(after: string | undefined, limit: number, prefix?: string): LogGroupRecord[];
  /** Bytes of the group's stored messages. */
  storedBytes(group: string): number;

  getStream(group: string, name: string): LogStreamRecord | undefined;
  createStream(rec: LogStreamRecord): void;
  deleteStream(group: string, name: string): void;
  listStreams(group: string): LogStreamRecord[];

  /** Appends events (already validated and sorted) and moves the stream's first/last event times. */
  appendEvents(group: string, stream: string, events: readonly { timestamp: number; message: string }[], ingestionTime: number): void;
  /** A stream's events in (timestamp, id) order within `range`, after or before `cursor`, at most `limit`. */
  streamEvents(group: string, stream: string, range: EventRange, cursor: EventPosition | undefined, direction: 'forward' | 'backward', limit: number): LogEventRow[];
  /**
   * A group's events across streams in (timestamp, id) order within `range`, after `cursor`, lazily, for
   * filtering; `contains`: only messages with every one of these texts (checked by SQLite, before any JS runs).
   */
  groupEvents(group: string, range: EventRange, cursor: EventPosition | undefined, contains?: readonly string[]): IterableIterator<LogEventRow>;
  /** Deletes events of the group older than `before`; returns how many went. */
  expireEvents(group: string, before: number): number;
}

const parseGroup = (row: { doc: string } | undefined): LogGroupRecord | undefined => (row ? (JSON.parse(row.doc) as LogGroupRecord) : undefined);

interface StreamRow {
  group_name: string;
  name: string;
  created_at: number;
  first_event: number | null;
  last_event: number | null;
  last_ingestion: number | null;
}

const streamRecord = (r: StreamRow): LogStreamRecord => ({
  group: r.group_name,
  name: r.name,
  createdAt: r.created_at,
  firstEventAt: r.first_event ?? undefined,
  lastEventAt: r.last_event ?? undefined,
  lastIngestionAt: r.last_ingestion ?? undefined,
});

const EVENT_COLUMNS = 'id, stream_name AS stream, ts AS timestamp, ingestion AS ingestionTime, message';

function statements(db: Database.Database) {
  return {
    getGroup: db.prepare<[string], { doc: string }>('SELECT doc FROM log_groups WHERE name = ?'),
    putGroup: db.prepare('INSERT INTO log_groups (name, created_at, doc) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc'),
    deleteGroup: db.prepare('DELETE FROM log_groups WHERE name = ?'),
    deleteGroupStreams: db.prepare('DELETE FROM log_streams WHERE group_name = ?'),
    deleteGroupEvents: db.prepare('DELETE FROM log_events WHERE group_name = ?'),
    listGroups: db.prepare<[{ after: string; prefix: string; limit: number }], { doc: string }>(
      'SELECT doc FROM log_groups WHERE name > @after AND substr(name, 1, length(@prefix)) = @prefix ORDER BY name LIMIT @limit',
    ),
    storedBytes: db.prepare<[string], { n: number | null }>('SELECT SUM(bytes) AS n FROM log_events WHERE group_name = ?'),
    getStream: db.prepare<[string, string], StreamRow>('SELECT * FROM log_streams WHERE group_name = ? AND name = ?'),
    createStream: db.prepare('INSERT INTO log_streams (group_name, name, created_at) VALUES (?, ?, ?)'),
    deleteStream: db.prepare('DELETE FROM log_streams WHERE group_name = ? AND name = ?'),
    deleteStreamEvents: db.prepare('DELETE FROM log_events WHERE group_name = ? AND stream_name = ?'),
    listStreams: db.prepare<[string], StreamRow>('SELECT * FROM log_streams WHERE group_name = ? ORDER BY name'),
    insertEvent: db.prepare('INSERT INTO log_events (group_name, stream_name, ts, ingestion, message, bytes) VALUES (?, ?, ?, ?, ?, ?)'),
    touchStream: db.prepare(
      `UPDATE log_streams SET first_event = min(coalesce(first_event, @first), @first), last_event = max(coalesce(last_event, @last), @last),
       last_ingestion = @ingestion WHERE group_name = @group AND name = @stream`,
    ),
    forward: db.prepare<[string, string, number, number, number, number, number], LogEventRow>(
      `SELECT ${EVENT_COLUMNS} FROM log_events WHERE group_name = ? AND stream_name = ? AND ts >= ? AND ts < ? AND (ts, id) > (?, ?)
       ORDER BY ts, id LIMIT ?`,
    ),
    backward: db.prepare<[string, string, number, number, number, number, number], LogEventRow>(
      `SELECT ${EVENT_COLUMNS} FROM log_events WHERE group_name = ? AND stream_name = ? AND ts >= ? AND ts < ? AND (ts, id) < (?, ?)
       ORDER BY ts DESC, id DESC LIMIT ?`,
    ),
    groupEvents: db.prepare<[string, number, number, number, number], LogEventRow>(
      `SELECT ${EVENT_COLUMNS} FROM log_events WHERE group_name = ? AND ts >= ? AND ts < ? AND (ts, id) > (?, ?) ORDER BY ts, id`,
    ),
    expire: db.prepare('DELETE FROM log_events WHERE group_name = ? AND ts < ?'),
  };
}

export function openLogsStore(database: EmulatorDatabase): LogsStore {
  const { db } = database;
  migrateService(db, 'logs', MIGRATIONS);
  const q = statements(db);
  /** groupEvents with N required texts, prepared once per N. */
  const containing = new Map<number, Database.Statement<unknown[], LogEventRow>>();
  return {
    transaction: (fn) => database.transaction(fn),
    getGroup: (name) => parseGroup(q.getGroup.get(name)),
    putGroup: (rec) => void q.putGroup.run(rec.name, rec.createdAt, JSON.stringify(rec)),
    deleteGroup: (name) => {
      q.deleteGroupEvents.run(name);
      q.deleteGroupStreams.run(name);
      q.deleteGroup.run(name);
    },
    listGroups: (after, limit, prefix = '') => q.listGroups.all({ after: after ?? '', prefix, limit }).map((r) => parseGroup(r)!),
    storedBytes: (group) => q.storedBytes.get(group)?.n ?? 0,
    getStream: (group, name) => {
      const row = q.getStream.get(group, name);
      return row ? streamRecord(row) : undefined;
    },
    createStream: (rec) => void q.createStream.run(rec.group, rec.name, rec.createdAt),
    deleteStream: (group, name) => {
      q.deleteStreamEvents.run(group, name);
      q.deleteStream.run(group, name);
    },
    listStreams: (group) => q.listStreams.all(group).map(streamRecord),
    appendEvents: (group, stream, events, ingestionTime) => {
      if (events.length === 0) return;
      for (const e of events) q.insertEvent.run(group, stream, e.timestamp, ingestionTime, e.message, Buffer.byteLength(e.message));
      const first = Math.min(...events.map((e) => e.timestamp));
      const last = Math.max(...events.map((e) => e.timestamp));
      q.touchStream.run({ first, last, ingestion: ingestionTime, group, stream });
    },
    streamEvents: (group, stream, range, cursor, direction, limit) => {
      if (direction === 'forward') {
        const c = cursor ?? { timestamp: Number.MIN_SAFE_INTEGER, id: 0 };
        return q.forward.all(group, stream, range.from, range.to, c.timestamp, c.id, limit);
      }
      const c = cursor ?? { timestamp: Number.MAX_SAFE_INTEGER, id: Number.MAX_SAFE_INTEGER };
      return q.backward.all(group, stream, range.from, range.to, c.timestamp, c.id, limit).reverse();
    },
    groupEvents: (group, range, cursor, contains = []) => {
      const c = cursor ?? { timestamp: Number.MIN_SAFE_INTEGER, id: 0 };
      if (contains.length === 0) return q.groupEvents.iterate(group, range.from, range.to, c.timestamp, c.id);
      let stmt = containing.get(contains.length);
      if (!stmt) {
        const where = contains.map(() => 'instr(message, ?) > 0').join(' AND ');
        stmt = db.prepare<unknown[], LogEventRow>(
          `SELECT ${EVENT_COLUMNS} FROM log_events WHERE group_name = ? AND ts >= ? AND ts < ? AND (ts, id) > (?, ?) AND ${where} ORDER BY ts, id`,
        );
        containing.set(contains.length, stmt);
      }
      return stmt.iterate(group, range.from, range.to, c.timestamp, c.id, ...contains);
    },
    expireEvents: (group, before) => q.expire.run(group, before).changes,
  };
}
