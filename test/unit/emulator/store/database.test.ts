import t from 'tap';
import Database from 'better-sqlite3';
import path from 'node:path';
import { migrateService, openDatabase } from '../../../../src/emulator/store/database.js';
import { openEcsStore } from '../../../../src/emulator/ecs/store.js';
import { openSecretsStore } from '../../../../src/emulator/secretsmanager/store.js';
import { openParametersStore } from '../../../../src/emulator/ssm/store.js';

const versions = (db: Database.Database): Record<string, number> =>
  Object.fromEntries((db.prepare('SELECT service, version FROM schema_versions ORDER BY service').all() as { service: string; version: number }[]).map((r) => [r.service, r.version]));

t.test('each service keeps its own schema version; running its migrations twice changes nothing', async (t) => {
  const database = openDatabase(t.testdir());
  t.teardown(() => database.close());
  migrateService(database.db, 'toy', ['CREATE TABLE toy (a TEXT)', 'ALTER TABLE toy ADD COLUMN b TEXT']);
  migrateService(database.db, 'other', ['CREATE TABLE other (x TEXT)']);
  migrateService(database.db, 'toy', ['CREATE TABLE toy (a TEXT)', 'ALTER TABLE toy ADD COLUMN b TEXT']);
  t.same(versions(database.db), { other: 1, toy: 2 });
  // A later build appends a migration: only that one runs.
  migrateService(database.db, 'toy', ['CREATE TABLE toy (a TEXT)', 'ALTER TABLE toy ADD COLUMN b TEXT', 'ALTER TABLE toy ADD COLUMN c TEXT']);
  t.same(versions(database.db).toy, 3);
  database.db.prepare('INSERT INTO toy (a, b, c) VALUES (?, ?, ?)').run('1', '2', '3');
});

t.test('a database written by a newer build is refused, naming the service', async (t) => {
  const database = openDatabase(t.testdir());
  t.teardown(() => database.close());
  migrateService(database.db, 'toy', ['CREATE TABLE toy (a TEXT)', 'CREATE TABLE toy2 (a TEXT)']);
  t.throws(() => migrateService(database.db, 'toy', ['CREATE TABLE toy (a TEXT)']), /toy schema version 2, newer than this build \(1\)/);
});

t.test('a failed transaction rolls back every write and tells the listeners', async (t) => {
  const database = openDatabase(t.testdir());
  t.teardown(() => database.close());
  migrateService(database.db, 'toy', ['CREATE TABLE toy (a TEXT NOT NULL)']);
  let rollbacks = 0;
  database.onRollback(() => rollbacks++);
  t.throws(() =>
    database.transaction(() => {
      database.db.prepare('INSERT INTO toy (a) VALUES (?)').run('kept?');
      database.db.prepare('INSERT INTO toy (a) VALUES (?)').run(null);
    }),
  );
  t.equal((database.db.prepare('SELECT COUNT(*) AS n FROM toy').get() as { n: number }).n, 0);
  t.equal(rollbacks, 1);
});

t.test('a database from before per-service versions keeps its rows and creates no table twice', async (t) => {
  const dir = t.testdir();
  // The layout of that build: one schema_version row counting ECS (1-2), Secrets Manager (3) and SSM (4).
  const old = new Database(path.join(dir, 'emulator.db'));
  old.exec(`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (4);
    CREATE TABLE clusters (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
    CREATE TABLE task_definitions (family TEXT NOT NULL, revision INTEGER NOT NULL, arn TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, PRIMARY KEY (family, revision));
    CREATE TABLE container_instances (arn TEXT PRIMARY KEY, cluster TEXT NOT NULL, seq_num INTEGER NOT NULL DEFAULT 0, doc TEXT NOT NULL);
    CREATE TABLE tasks (arn TEXT PRIMARY KEY, cluster TEXT NOT NULL, instance_arn TEXT NOT NULL, created_at INTEGER NOT NULL, doc TEXT NOT NULL, live INTEGER NOT NULL DEFAULT 1);
    CREATE TABLE acs_messages (message_id TEXT PRIMARY KEY, instance_arn TEXT NOT NULL, seq_num INTEGER NOT NULL, body TEXT NOT NULL);
    CREATE TABLE services (arn TEXT PRIMARY KEY, cluster TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL);
    CREATE TABLE secrets (name TEXT PRIMARY KEY, arn TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
    CREATE TABLE ssm_parameters (name TEXT PRIMARY KEY, arn TEXT NOT NULL, doc TEXT NOT NULL);`);
  old.prepare('INSERT INTO clusters VALUES (?, ?)').run('default', JSON.stringify({ name: 'default' }));
  old.prepare('INSERT INTO secrets VALUES (?, ?, ?)').run('s', 'arn:s', JSON.stringify({ name: 's', arn: 'arn:s', createdAt: 1, lastChangedAt: 1 }));
  old.prepare('INSERT INTO ssm_parameters VALUES (?, ?, ?)').run('p', 'arn:p', JSON.stringify({ name: 'p', arn: 'arn:p', type: 'String', value: 'v', version: 1, lastModifiedAt: 1 }));
  old.close();

  const database = openDatabase(dir);
  t.teardown(() => database.close());
  const ecs = openEcsStore(database);
  const secrets = openSecretsStore(database);
  const parameters = openParametersStore(database);
  t.same(versions(database.db), { ecs: 3, secretsmanager: 1, ssm: 1 }, 'then brought up to date');
  t.equal(ecs.getCluster('default')?.name, 'default');
  t.equal(secrets.getSecret('s')?.arn, 'arn:s');
  t.equal(parameters.getParameter('p')?.value, 'v');
  t.notOk(database.db.prepare("SELECT name FROM sqlite_master WHERE name = 'schema_version'").get(), 'the old version table is gone');
});
