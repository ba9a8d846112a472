import type Database from 'better-sqlite3';
import { migrateService } from '../store/database.js';

/**
 * ECS's tables, in migration order (store/database.ts runs them). Never edit a shipped entry, append.
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
  // 3: custom capacity providers (Auto Scaling group ones; FARGATE and FARGATE_SPOT are built in).
  `CREATE TABLE capacity_providers (name TEXT PRIMARY KEY, doc TEXT NOT NULL);`,
];

export function migrateEcs(db: Database.Database): void {
  migrateService(db, 'ecs', MIGRATIONS);
}
