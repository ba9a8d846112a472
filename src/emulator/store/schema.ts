import type Database from 'better-sqlite3';

/**
 * Migrations in order; index + 1 is the schema version they lead to. Never edit a shipped entry, append.
 * Records live as JSON documents; the columns beside them exist for lookups and for the ACS seqNum counter.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE clusters (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
   CREATE TABLE task_definitions (
     family TEXT NOT NULL, revision INTEGER NOT NULL, arn TEXT NOT NULL UNIQUE, doc TEXT NOT NULL,
     PRIMARY KEY (family, revision));
   CREATE TABLE container_instances (
     arn TEXT PRIMARY KEY, cluster TEXT NOT NULL, seq_num INTEGER NOT NULL DEFAULT 0, doc TEXT NOT NULL);
   CREATE INDEX container_instances_cluster ON container_instances (cluster);
   CREATE TABLE tasks (
     arn TEXT PRIMARY KEY, cluster TEXT NOT NULL, instance_arn TEXT NOT NULL, created_at INTEGER NOT NULL,
     doc TEXT NOT NULL);
   CREATE INDEX tasks_cluster ON tasks (cluster);
   CREATE INDEX tasks_instance ON tasks (instance_arn);
   CREATE TABLE acs_messages (
     message_id TEXT PRIMARY KEY, instance_arn TEXT NOT NULL, seq_num INTEGER NOT NULL, body TEXT NOT NULL);
   CREATE INDEX acs_messages_instance ON acs_messages (instance_arn);`,
  // 2: services; a `live` flag on tasks so capacity and schedulers read only tasks that are not STOPPED.
  `CREATE TABLE services (arn TEXT PRIMARY KEY, cluster TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL);
   CREATE INDEX services_cluster ON services (cluster);
   ALTER TABLE tasks ADD COLUMN live INTEGER NOT NULL DEFAULT 1;
   UPDATE tasks SET live = (json_extract(doc, '$.lastStatus') != 'STOPPED');
   CREATE INDEX tasks_cluster_live ON tasks (cluster, live);`,
  // 3: Secrets Manager secrets (emulator/secretsmanager/), looked up by name or ARN.
  `CREATE TABLE secrets (name TEXT PRIMARY KEY, arn TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);`,
  // 4: SSM Parameter Store parameters (emulator/ssm/), looked up by name or ARN.
  `CREATE TABLE ssm_parameters (name TEXT PRIMARY KEY, arn TEXT NOT NULL, doc TEXT NOT NULL);
   CREATE INDEX ssm_parameters_arn ON ssm_parameters (arn);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new Error(`emulator.db has schema version ${current}, newer than this build (${SCHEMA_VERSION})`);
  }
  db.transaction(() => {
    for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    if (row) db.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION);
    else db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
  })();
}
