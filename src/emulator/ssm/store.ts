/**
 * Parameter Store's table and the port its operations use: each parameter's current version as a JSON document,
 * looked up by name or by ARN. Values (SecureString too: there is no KMS) are stored as given and never logged.
 */
import { migrateService, type EmulatorDatabase } from '../store/database.js';

/** An SSM Parameter Store parameter: its current version only. */
export interface ParameterRecord {
  /** `name` or `/path/to/name`. */
  name: string;
  /** arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash> */
  arn: string;
  type: 'String' | 'StringList' | 'SecureString';
  /** Plain text (SecureString too: the emulator has no KMS); never logged. */
  value: string;
  /** 1 at creation, +1 per overwrite. */
  version: number;
  description?: string;
  keyId?: string;
  lastModifiedAt: number;
}

export interface ParametersStore {
  transaction<T>(fn: () => T): T;
  getParameter(name: string): ParameterRecord | undefined;
  getParameterByArn(arn: string): ParameterRecord | undefined;
  putParameter(rec: ParameterRecord): void;
  deleteParameter(name: string): void;
}

/** Never edit a shipped entry, append. The first one predates per-service versions (it was the store's fourth). */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE ssm_parameters (name TEXT PRIMARY KEY, arn TEXT NOT NULL, doc TEXT NOT NULL);
   CREATE INDEX ssm_parameters_arn ON ssm_parameters (arn);`,
];

export function openParametersStore(database: EmulatorDatabase): ParametersStore {
  const { db } = database;
  migrateService(db, 'ssm', MIGRATIONS);
  const q = {
    get: db.prepare<[string], { doc: string }>('SELECT doc FROM ssm_parameters WHERE name = ?'),
    getByArn: db.prepare<[string], { doc: string }>('SELECT doc FROM ssm_parameters WHERE arn = ? ORDER BY name LIMIT 1'),
    put: db.prepare('INSERT INTO ssm_parameters (name, arn, doc) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET arn = excluded.arn, doc = excluded.doc'),
    delete: db.prepare('DELETE FROM ssm_parameters WHERE name = ?'),
  };
  const parse = (row: { doc: string } | undefined): ParameterRecord | undefined => (row ? (JSON.parse(row.doc) as ParameterRecord) : undefined);
  return {
    transaction: (fn) => database.transaction(fn),
    getParameter: (name) => parse(q.get.get(name)),
    getParameterByArn: (arn) => parse(q.getByArn.get(arn)),
    putParameter: (rec) => void q.put.run(rec.name, rec.arn, JSON.stringify(rec)),
    deleteParameter: (name) => void q.delete.run(name),
  };
}
