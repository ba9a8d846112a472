/**
 * The emulator's one SQLite file and what every service's store is built on: a connection, transactions, and a
 * migrations runner that keeps one schema version per service. Each AWS service folder owns its tables and its
 * migrations (`<service>/schema.ts`) and opens its store on this database; nothing here knows a table.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface EmulatorDatabase {
  readonly db: Database.Database;
  /**
   * Runs `fn` in one transaction (a savepoint when nested): bad input never leaves a partial row. A listener
   * added with `onRollback` hears about every rollback, so a service can drop caches of writes that never happened.
   */
  transaction<T>(fn: () => T): T;
  onRollback(listener: () => void): void;
  close(): void;
}

export function openDatabase(dataDir: string): EmulatorDatabase {
  // Secrets, parameters and tokens are stored in clear: the data dir is the owner's only (as the agent's is).
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const file = path.join(dataDir, 'emulator.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  adoptSingleVersion(db);
  const rollbackListeners: (() => void)[] = [];
  let closed = false;
  return {
    db,
    transaction: <T>(fn: () => T): T => {
      try {
        return db.transaction(fn)();
      } catch (err) {
        for (const listener of rollbackListeners) listener();
        throw err;
      }
    },
    onRollback: (listener) => void rollbackListeners.push(listener),
    close: () => {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

/**
 * Brings `service`'s tables to the last of its migrations (index + 1 is the version each leads to; never edit a
 * shipped entry, append). A database written by a newer build is refused rather than misread.
 */
export function migrateService(db: Database.Database, service: string, migrations: readonly string[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (service TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_versions WHERE service = ?').get(service) as { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current > migrations.length) {
    throw new Error(`emulator.db has ${service} schema version ${current}, newer than this build (${migrations.length})`);
  }
  if (current === migrations.length) return;
  db.transaction(() => {
    for (let v = current; v < migrations.length; v++) db.exec(migrations[v]!);
    db.prepare('INSERT INTO schema_versions (service, version) VALUES (?, ?) ON CONFLICT (service) DO UPDATE SET version = excluded.version')
      .run(service, migrations.length);
  })();
}

/**
 * Databases written before services kept their own versions had one `schema_version` row counting a single list:
 * 1-2 ECS, 3 Secrets Manager, 4 SSM. Their counts carry over, so no table is created twice.
 */
function adoptSingleVersion(db: Database.Database): void {
  const legacy = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (!legacy) return;
  const { version } = db.prepare('SELECT version FROM schema_version').get() as { version: number };
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_versions (service TEXT PRIMARY KEY, version INTEGER NOT NULL)');
    const put = db.prepare('INSERT OR REPLACE INTO schema_versions (service, version) VALUES (?, ?)');
    put.run('ecs', Math.min(version, 2));
    if (version >= 3) put.run('secretsmanager', 1);
    if (version >= 4) put.run('ssm', 1);
    db.exec('DROP TABLE schema_version');
  })();
}
