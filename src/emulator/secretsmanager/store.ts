/**
 * Secrets Manager's tables and the port its operations use. A secret keeps one current version (AWSCURRENT) as a
 * JSON document; the name and ARN columns exist for lookups. Values are stored as given and never logged.
 */
import { migrateService, type EmulatorDatabase } from '../store/database.js';

/** A Secrets Manager secret: one current version, the AWSCURRENT one. */
export interface SecretRecord {
  name: string;
  /** arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters> */
  arn: string;
  description?: string;
  /** Absent when the secret was created without a value. */
  versionId?: string;
  secretString?: string;
  /** Base64, as the JSON protocol carries blobs. */
  secretBinary?: string;
  createdAt: number;
  lastChangedAt: number;
  /** Scheduled for deletion (DeleteSecret with a recovery window): reads are refused. */
  deletedAt?: number;
}

export interface SecretsStore {
  transaction<T>(fn: () => T): T;
  getSecret(name: string): SecretRecord | undefined;
  putSecret(rec: SecretRecord): void;
  deleteSecret(name: string): void;
  /** By name. */
  listSecrets(): SecretRecord[];
}

/** Never edit a shipped entry, append. The first one predates per-service versions (it was the store's third). */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE secrets (name TEXT PRIMARY KEY, arn TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);`,
];

export function openSecretsStore(database: EmulatorDatabase): SecretsStore {
  const { db } = database;
  migrateService(db, 'secretsmanager', MIGRATIONS);
  const q = {
    get: db.prepare<[string], { doc: string }>('SELECT doc FROM secrets WHERE name = ?'),
    put: db.prepare('INSERT INTO secrets (name, arn, doc) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET arn = excluded.arn, doc = excluded.doc'),
    delete: db.prepare('DELETE FROM secrets WHERE name = ?'),
    list: db.prepare<[], { doc: string }>('SELECT doc FROM secrets ORDER BY name'),
  };
  return {
    transaction: (fn) => database.transaction(fn),
    getSecret: (name) => {
      const row = q.get.get(name);
      return row ? (JSON.parse(row.doc) as SecretRecord) : undefined;
    },
    putSecret: (rec) => void q.put.run(rec.name, rec.arn, JSON.stringify(rec)),
    deleteSecret: (name) => void q.delete.run(name),
    listSecrets: () => q.list.all().map((r) => JSON.parse(r.doc) as SecretRecord),
  };
}
