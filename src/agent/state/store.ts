/**
 * The crash-safe store: better-sqlite3 at <ECS_DATADIR>/berth-agent.db (WAL, schema_version + migrations).
 * Tables: metadata (container-instance-arn, cluster, agent-version, ...), tasks (spec + task state),
 * containers (one row per task container: docker name, docker id, known/sent status). A task and its
 * containers are written in one transaction.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BerthError } from '../../shared/errors.js';
import type { ContainerState, TaskRecord, TaskSpec, TaskState } from '../engine/model.js';

const MIGRATIONS: string[] = [
  `CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE tasks (arn TEXT PRIMARY KEY, spec TEXT NOT NULL, state TEXT NOT NULL);
   CREATE TABLE containers (
     task_arn TEXT NOT NULL REFERENCES tasks(arn) ON DELETE CASCADE,
     name TEXT NOT NULL, docker_name TEXT, docker_id TEXT, known TEXT NOT NULL, sent TEXT NOT NULL,
     state TEXT NOT NULL, PRIMARY KEY (task_arn, name));`,
];

export type MetadataKey = 'container-instance-arn' | 'cluster-name' | 'agent-version' | 'availability-zone';

export class StateStore {
  private readonly db: Database.Database;
  private closed = false;

  /** `dataDir` undefined keeps everything in memory (ECS_CHECKPOINT=false). */
  constructor(opts: { dataDir: string | undefined }) {
    try {
      if (opts.dataDir === undefined) {
        this.db = new Database(':memory:');
      } else {
        mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
        const file = path.join(opts.dataDir, 'berth-agent.db');
        this.db = new Database(file);
        chmodSync(file, 0o600);
        this.db.pragma('journal_mode = WAL');
      }
      this.db.pragma('foreign_keys = ON');
      this.migrate();
    } catch (err) {
      throw new BerthError('StateStoreError', `cannot open state store: ${(err as Error).message}`, { cause: err });
    }
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = this.db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    let version = row?.version ?? 0;
    if (!row) this.db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
    for (; version < MIGRATIONS.length; version++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version]!);
        this.db.prepare('UPDATE schema_version SET version = ?').run(version + 1);
      })();
    }
  }

  getMeta(key: MetadataKey): string | undefined {
    const row = this.db.prepare('SELECT value FROM metadata WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: MetadataKey, value: string): void {
    this.db.prepare('INSERT INTO metadata (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  saveTask(task: TaskRecord): void {
    if (this.closed) return;
    const { containers, ...taskState } = task.state;
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO tasks (arn, spec, state) VALUES (?, ?, ?) ON CONFLICT(arn) DO UPDATE SET state = excluded.state')
        .run(task.spec.arn, JSON.stringify(task.spec), JSON.stringify(taskState));
      const upsert = this.db.prepare(
        `INSERT INTO containers (task_arn, name, docker_name, docker_id, known, sent, state) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(task_arn, name) DO UPDATE SET docker_name = excluded.docker_name, docker_id = excluded.docker_id,
           known = excluded.known, sent = excluded.sent, state = excluded.state`,
      );
      for (const c of containers) {
        upsert.run(task.spec.arn, c.name, c.dockerName ?? null, c.dockerId ?? null, c.known, c.sent, JSON.stringify(c));
      }
    })();
  }

  deleteTask(arn: string): void {
    if (this.closed) return;
    this.db.prepare('DELETE FROM tasks WHERE arn = ?').run(arn);
  }

  loadTasks(): TaskRecord[] {
    const tasks = this.db.prepare('SELECT arn, spec, state FROM tasks ORDER BY rowid').all() as { arn: string; spec: string; state: string }[];
    const byTask = this.db.prepare('SELECT state FROM containers WHERE task_arn = ?');
    return tasks.map((t) => {
      const spec = JSON.parse(t.spec) as TaskSpec;
      const rows = byTask.all(t.arn) as { state: string }[];
      const saved = new Map(rows.map((r) => {
        const c = JSON.parse(r.state) as ContainerState;
        return [c.name, c];
      }));
      const containers = spec.containers.map((s) => saved.get(s.name)).filter((c): c is ContainerState => c !== undefined);
      const state = { ...(JSON.parse(t.state) as Omit<TaskState, 'containers'>), containers };
      return { spec, state };
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
