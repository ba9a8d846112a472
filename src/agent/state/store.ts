/**
 * The crash-safe store (spec §6.6): better-sqlite3 at <ECS_DATADIR>/berth-agent.db in WAL mode. Writes are
 * durable (synchronous=FULL: they survive a SIGKILL and a power cut) unless a caller marks a task write as
 * not durable: observed intermediate statuses, which reconciliation re-reads from Docker anyway, commit with
 * synchronous=NORMAL (they survive a SIGKILL; only a power cut may lose them, and the next durable commit
 * fsyncs them too, the WAL being sequential). Every fsync blocks the event loop, so this keeps them off the
 * hot path of a task start. Files are 0600 in a 0700
 * directory (the database holds task environments). Schema changes are numbered migrations (./migrations.ts).
 *
 * Contract: a method returns only after its transaction committed. Callers write before the action that
 * depends on the write (the task before the payload ack, the Docker name before `docker create`, the sent
 * status after the submission). A failed write is reported to the failure handler (the agent then stops
 * with exit 1) and thrown.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BerthError } from '../../shared/errors.js';
import type { ContainerState, TaskRecord, TaskSpec, TaskState } from '../model/task.js';
import { migrate } from './migrations.js';

export const STATE_FILE = 'berth-agent.db';

export type MetadataKey =
  | 'container-instance-arn'
  | 'cluster-name'
  | 'agent-version'
  | 'availability-zone'
  | 'ec2-instance-id'
  | 'task-manifest-seq-num';

/** An ENI attachment (spec §4.2 "Attach ENI"): persisted so a restart neither loses nor re-reports it. */
export interface EniAttachmentRecord {
  attachmentArn: string;
  taskArn: string | undefined;
  mac: string;
  /** Epoch ms after which an unsent attachment is dropped. */
  expiresAt: number;
  sent: boolean;
  /** Whatever else the networking code needs to keep (interface config, IPs, ...). */
  details: Record<string, unknown>;
}

/** Who this instance is: on EC2 the instance ID from IMDS; a different ID at start means "discard all state". */
export interface InstanceIdentity {
  instanceId: string;
  document?: Record<string, unknown>;
}

type Statements = ReturnType<typeof prepare>;

function prepare(db: Database.Database) {
  return {
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM metadata WHERE key = ?'),
    setMeta: db.prepare('INSERT INTO metadata (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    upsertTask: db.prepare('INSERT INTO tasks (arn, spec, state) VALUES (?, ?, ?) ON CONFLICT(arn) DO UPDATE SET state = excluded.state'),
    upsertContainer: db.prepare(
      `INSERT INTO containers (task_arn, name, docker_name, docker_id, known, sent, state) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(task_arn, name) DO UPDATE SET docker_name = excluded.docker_name, docker_id = excluded.docker_id,
         known = excluded.known, sent = excluded.sent, state = excluded.state`,
    ),
    deleteTask: db.prepare('DELETE FROM tasks WHERE arn = ?'),
    allTasks: db.prepare<[], { arn: string; spec: string; state: string }>('SELECT arn, spec, state FROM tasks ORDER BY rowid'),
    containersOf: db.prepare<[string], { state: string }>('SELECT state FROM containers WHERE task_arn = ?'),
    upsertEni: db.prepare(
      `INSERT INTO eni_attachments (attachment_arn, task_arn, mac, expires_at, sent, details) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(attachment_arn) DO UPDATE SET task_arn = excluded.task_arn, mac = excluded.mac,
         expires_at = excluded.expires_at, sent = excluded.sent, details = excluded.details`,
    ),
    allEnis: db.prepare<[], { attachment_arn: string; task_arn: string | null; mac: string; expires_at: number; sent: number; details: string }>(
      'SELECT attachment_arn, task_arn, mac, expires_at, sent, details FROM eni_attachments ORDER BY rowid',
    ),
    deleteEni: db.prepare('DELETE FROM eni_attachments WHERE attachment_arn = ?'),
  };
}

export class StateStore {
  private readonly db: Database.Database;
  private readonly st: Statements;
  private closed = false;
  /** The safety level of the next commit (set in the constructor for a file, SQLite's default FULL in memory). */
  private syncMode: 'FULL' | 'NORMAL' = 'FULL';
  private failureHandler: ((err: BerthError) => void) | undefined;

  /** `dataDir` undefined keeps everything in memory (ECS_CHECKPOINT=false). */
  constructor(opts: { dataDir: string | undefined }) {
    try {
      if (opts.dataDir === undefined) {
        this.db = new Database(':memory:');
      } else {
        mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
        chmodSync(opts.dataDir, 0o700);
        const file = path.join(opts.dataDir, STATE_FILE);
        // Create the file 0600 before SQLite does: its -wal and -shm files copy the database file's mode.
        closeSync(openSync(file, 'a', 0o600));
        chmodSync(file, 0o600);
        this.db = new Database(file);
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = FULL');
        this.db.pragma('busy_timeout = 5000');
      }
      this.db.pragma('foreign_keys = ON');
      migrate(this.db);
      this.st = prepare(this.db);
    } catch (err) {
      throw new BerthError('StateStoreError', `cannot open state store: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Called (once per failure) when a write could not be committed. */
  onWriteFailure(handler: (err: BerthError) => void): void {
    this.failureHandler = handler;
  }

  schemaVersion(): number {
    return (this.db.prepare('SELECT version FROM schema_version').get() as { version: number }).version;
  }

  /** SQLite only lets the safety level change between transactions, so it is set before each one. */
  private durability(durable: boolean): void {
    const mode = durable ? 'FULL' : 'NORMAL';
    if (mode === this.syncMode) return;
    this.db.pragma(`synchronous = ${mode}`);
    this.syncMode = mode;
  }

  private write(what: string, fn: () => void, durable = true): void {
    if (this.closed) return;
    try {
      this.durability(durable);
      fn();
    } catch (err) {
      const e = new BerthError('StateStoreError', `cannot save ${what}: ${(err as Error).message}`, { cause: err, retriable: true });
      this.failureHandler?.(e);
      throw e;
    }
  }

  getMeta(key: MetadataKey): string | undefined {
    return this.st.getMeta.get(key)?.value;
  }

  setMeta(key: MetadataKey, value: string): void {
    this.write(`metadata ${key}`, () => this.st.setMeta.run(key, value));
  }

  /** `durable: false` only for state that Docker can tell again after a crash (see the header). */
  saveTask(task: TaskRecord, opts: { durable?: boolean } = {}): void {
    this.write(`task ${task.spec.arn}`, () => this.db.transaction(() => this.upsert(task))(), opts.durable ?? true);
  }

  /** Several tasks in one durable transaction: one fsync for a burst of writes (the engine batches pre-create saves). */
  saveTasks(tasks: readonly TaskRecord[]): void {
    if (tasks.length === 0) return;
    this.write(`${tasks.length} tasks`, () => this.db.transaction(() => tasks.forEach((t) => this.upsert(t)))());
  }

  private upsert(task: TaskRecord): void {
    const { containers, ...taskState } = task.state;
    this.st.upsertTask.run(task.spec.arn, JSON.stringify(task.spec), JSON.stringify(taskState));
    for (const c of containers) {
      this.st.upsertContainer.run(task.spec.arn, c.name, c.dockerName ?? null, c.dockerId ?? null, c.known, c.sent, JSON.stringify(c));
    }
  }

  deleteTask(arn: string): void {
    this.write(`deletion of ${arn}`, () => this.st.deleteTask.run(arn));
  }

  loadTasks(): TaskRecord[] {
    return this.st.allTasks.all().map((t) => {
      const spec = JSON.parse(t.spec) as TaskSpec;
      const saved = new Map(
        this.st.containersOf.all(t.arn).map((r) => {
          const c = JSON.parse(r.state) as ContainerState;
          return [c.name, c];
        }),
      );
      const containers = spec.containers.map((s) => saved.get(s.name)).filter((c): c is ContainerState => c !== undefined);
      const state = { ...(JSON.parse(t.state) as Omit<TaskState, 'containers'>), containers };
      return { spec, state };
    });
  }

  saveEniAttachment(a: EniAttachmentRecord): void {
    this.write(`ENI attachment ${a.attachmentArn}`, () =>
      this.st.upsertEni.run(a.attachmentArn, a.taskArn ?? null, a.mac, a.expiresAt, a.sent ? 1 : 0, JSON.stringify(a.details)),
    );
  }

  loadEniAttachments(): EniAttachmentRecord[] {
    return this.st.allEnis.all().map((r) => ({
      attachmentArn: r.attachment_arn,
      taskArn: r.task_arn ?? undefined,
      mac: r.mac,
      expiresAt: r.expires_at,
      sent: r.sent === 1,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }

  deleteEniAttachment(attachmentArn: string): void {
    this.write(`deletion of ENI attachment ${attachmentArn}`, () => this.st.deleteEni.run(attachmentArn));
  }

  getInstanceIdentity(): InstanceIdentity | undefined {
    const row = this.db.prepare('SELECT instance_id, document FROM instance_identity WHERE id = 1').get() as { instance_id: string; document: string | null } | undefined;
    if (!row) return undefined;
    return { instanceId: row.instance_id, ...(row.document ? { document: JSON.parse(row.document) as Record<string, unknown> } : {}) };
  }

  setInstanceIdentity(identity: InstanceIdentity): void {
    this.write('instance identity', () =>
      this.db
        .prepare('INSERT INTO instance_identity (id, instance_id, document) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET instance_id = excluded.instance_id, document = excluded.document')
        .run(identity.instanceId, identity.document ? JSON.stringify(identity.document) : null),
    );
  }

  /** Spec §1.4 step 8: a different EC2 instance ID means the saved state belongs to another machine. */
  discardAll(): void {
    this.write('discard', () =>
      this.db.transaction(() => {
        this.db.exec('DELETE FROM tasks; DELETE FROM containers; DELETE FROM eni_attachments; DELETE FROM metadata; DELETE FROM instance_identity;');
      })(),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
