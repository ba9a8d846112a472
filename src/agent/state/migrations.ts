/**
 * Numbered schema migrations of the agent store. `schema_version.version` is the number of migrations applied;
 * each runs in its own transaction together with the version bump, so a crash leaves either the old or the new
 * schema. A database newer than this berth (a downgrade) is refused rather than misread.
 */
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // 1: the first slice
  `CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE tasks (arn TEXT PRIMARY KEY, spec TEXT NOT NULL, state TEXT NOT NULL);
   CREATE TABLE containers (
     task_arn TEXT NOT NULL REFERENCES tasks(arn) ON DELETE CASCADE,
     name TEXT NOT NULL, docker_name TEXT, docker_id TEXT, known TEXT NOT NULL, sent TEXT NOT NULL,
     state TEXT NOT NULL, PRIMARY KEY (task_arn, name));`,
  // 2: ENI attachments and the instance identity (awsvpc, EC2 instance change detection)
  `CREATE TABLE eni_attachments (
     attachment_arn TEXT PRIMARY KEY, task_arn TEXT, mac TEXT NOT NULL, expires_at INTEGER NOT NULL,
     sent INTEGER NOT NULL DEFAULT 0, details TEXT NOT NULL DEFAULT '{}');
   CREATE INDEX eni_attachments_mac ON eni_attachments (mac);
   CREATE TABLE instance_identity (id INTEGER PRIMARY KEY CHECK (id = 1), instance_id TEXT NOT NULL, document TEXT);`,
];

export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
  let version = row?.version ?? 0;
  if (version > migrations.length) {
    throw new Error(`state schema version ${version} is newer than this berth understands (${migrations.length})`);
  }
  for (; version < migrations.length; version++) {
    const sql = migrations[version]!;
    const next = version + 1;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('UPDATE schema_version SET version = ?').run(next);
    })();
  }
  return version;
}
