import { migrateEcs } from './schema.js';
import { openDatabase, type EmulatorDatabase } from '../store/database.js';
import type {
  ClusterRecord,
  ContainerInstanceRecord,
  PendingMessage,
  CapacityProviderRecord,
  ServiceRecord,
  TaskDefinitionRecord,
  TaskRecord,
} from './records.js';

export type * from './records.js';

/**
 * ECS's persistence port: clusters, task definitions, container instances, tasks, services and the ACS messages
 * not yet acknowledged. Every method is synchronous (better-sqlite3), so a handler that wraps its writes in
 * `transaction` either commits all of them or none: bad input never leaves a partial row.
 */
export interface EcsStore {
  transaction<T>(fn: () => T): T;

  getCluster(name: string): ClusterRecord | undefined;
  putCluster(rec: ClusterRecord): void;
  listClusters(): ClusterRecord[];

  getTaskDefinition(family: string, revision: number): TaskDefinitionRecord | undefined;
  latestActiveTaskDefinition(family: string): TaskDefinitionRecord | undefined;
  maxRevision(family: string): number;
  putTaskDefinition(rec: TaskDefinitionRecord): void;
  /** Every revision of every family, by family then revision. */
  listTaskDefinitions(): TaskDefinitionRecord[];

  getInstance(arn: string): ContainerInstanceRecord | undefined;
  putInstance(rec: ContainerInstanceRecord): void;
  listInstances(cluster: string): ContainerInstanceRecord[];
  /** Increments and returns the instance's ACS seqNum; persisted so it keeps growing across restarts. */
  nextSeqNum(instanceArn: string): number;

  getTask(arn: string): TaskRecord | undefined;
  putTask(rec: TaskRecord): void;
  listTasks(cluster: string): TaskRecord[];
  /** Tasks of the cluster that are not STOPPED (they hold resources and count for services). */
  listLiveTasks(cluster: string): TaskRecord[];
  listTasksOnInstance(instanceArn: string): TaskRecord[];

  getService(arn: string): ServiceRecord | undefined;
  putService(rec: ServiceRecord): void;
  /** Services of a cluster in creation order, INACTIVE ones included. */
  listServices(cluster: string): ServiceRecord[];

  getCapacityProvider(name: string): CapacityProviderRecord | undefined;
  putCapacityProvider(rec: CapacityProviderRecord): void;
  /** By name, INACTIVE ones included. */
  listCapacityProviders(): CapacityProviderRecord[];

  putPendingMessage(msg: PendingMessage): void;
  /** Returns true when the message was pending. */
  ackMessage(messageId: string): boolean;
  pendingMessages(instanceArn: string): PendingMessage[];
  dropPendingMessages(instanceArn: string): void;

  close(): void;
}

function parse<T>(row: { doc: string } | undefined): T | undefined {
  return row ? (JSON.parse(row.doc) as T) : undefined;
}

function parseAll<T>(rows: unknown[]): T[] {
  return (rows as { doc: string }[]).map((r) => JSON.parse(r.doc) as T);
}

/** ECS's store on the emulator's database (its tables migrated first). */
export function openEcsStore(database: EmulatorDatabase): EcsStore {
  const { db } = database;
  migrateEcs(db);

  const q = {
    getCluster: db.prepare('SELECT doc FROM clusters WHERE name = ?'),
    putCluster: db.prepare('INSERT OR REPLACE INTO clusters (name, doc) VALUES (?, ?)'),
    listClusters: db.prepare('SELECT doc FROM clusters ORDER BY name'),
    getTd: db.prepare('SELECT doc FROM task_definitions WHERE family = ? AND revision = ?'),
    maxRev: db.prepare('SELECT MAX(revision) AS rev FROM task_definitions WHERE family = ?'),
    allTd: db.prepare('SELECT doc FROM task_definitions WHERE family = ? ORDER BY revision DESC'),
    listTd: db.prepare('SELECT doc FROM task_definitions ORDER BY family, revision'),
    putTd: db.prepare('INSERT OR REPLACE INTO task_definitions (family, revision, arn, doc) VALUES (?, ?, ?, ?)'),
    getInst: db.prepare('SELECT doc FROM container_instances WHERE arn = ?'),
    putInst: db.prepare(
      `INSERT INTO container_instances (arn, cluster, doc) VALUES (?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET cluster = excluded.cluster, doc = excluded.doc`,
    ),
    listInst: db.prepare('SELECT doc FROM container_instances WHERE cluster = ? ORDER BY rowid'),
    seq: db.prepare('UPDATE container_instances SET seq_num = seq_num + 1 WHERE arn = ? RETURNING seq_num'),
    getTask: db.prepare('SELECT doc FROM tasks WHERE arn = ?'),
    putTask: db.prepare(
      `INSERT INTO tasks (arn, cluster, instance_arn, created_at, doc, live) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET doc = excluded.doc, instance_arn = excluded.instance_arn, live = excluded.live`,
    ),
    listTasks: db.prepare('SELECT doc FROM tasks WHERE cluster = ? ORDER BY created_at, rowid'),
    listLive: db.prepare('SELECT doc FROM tasks WHERE cluster = ? AND live = 1 ORDER BY created_at, rowid'),
    getSvc: db.prepare('SELECT doc FROM services WHERE arn = ?'),
    putSvc: db.prepare(
      `INSERT INTO services (arn, cluster, name, doc) VALUES (?, ?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET doc = excluded.doc`,
    ),
    listSvc: db.prepare('SELECT doc FROM services WHERE cluster = ? ORDER BY rowid'),
    listInstTasks: db.prepare('SELECT doc FROM tasks WHERE instance_arn = ? ORDER BY created_at, rowid'),
    getCp: db.prepare('SELECT doc FROM capacity_providers WHERE name = ?'),
    putCp: db.prepare('INSERT INTO capacity_providers (name, doc) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc'),
    listCp: db.prepare('SELECT doc FROM capacity_providers ORDER BY name'),
    putMsg: db.prepare('INSERT INTO acs_messages (message_id, instance_arn, seq_num, body) VALUES (?, ?, ?, ?)'),
    ackMsg: db.prepare('DELETE FROM acs_messages WHERE message_id = ?'),
    listMsg: db.prepare(
      'SELECT message_id AS messageId, instance_arn AS instanceArn, seq_num AS seqNum, body FROM acs_messages WHERE instance_arn = ? ORDER BY seq_num',
    ),
    dropMsg: db.prepare('DELETE FROM acs_messages WHERE instance_arn = ?'),
  };

  /**
   * Live tasks per cluster, parsed once and kept in step with putTask: placement and the service controller
   * read them on every call, and re-parsing every live task each time made RunTask O(live tasks) in JSON.
   * Callers treat records as immutable (they copy before changing), so sharing them is safe.
   */
  const live = new Map<string, Map<string, TaskRecord>>();
  database.onRollback(() => live.clear()); // the cache may hold writes that never happened
  return {
    transaction: (fn) => database.transaction(fn),

    getCluster: (name) => parse<ClusterRecord>(q.getCluster.get(name) as { doc: string } | undefined),
    putCluster: (rec) => void q.putCluster.run(rec.name, JSON.stringify(rec)),
    listClusters: () => parseAll<ClusterRecord>(q.listClusters.all()),

    getTaskDefinition: (family, revision) =>
      parse<TaskDefinitionRecord>(q.getTd.get(family, revision) as { doc: string } | undefined),
    latestActiveTaskDefinition: (family) =>
      parseAll<TaskDefinitionRecord>(q.allTd.all(family)).find((td) => td.status === 'ACTIVE'),
    maxRevision: (family) => (q.maxRev.get(family) as { rev: number | null }).rev ?? 0,
    putTaskDefinition: (rec) => void q.putTd.run(rec.family, rec.revision, rec.arn, JSON.stringify(rec)),
    listTaskDefinitions: () => parseAll<TaskDefinitionRecord>(q.listTd.all()),

    getInstance: (arn) => parse<ContainerInstanceRecord>(q.getInst.get(arn) as { doc: string } | undefined),
    putInstance: (rec) => void q.putInst.run(rec.arn, rec.cluster, JSON.stringify(rec)),
    listInstances: (cluster) => parseAll<ContainerInstanceRecord>(q.listInst.all(cluster)),
    nextSeqNum: (arn) => {
      const row = q.seq.get(arn) as { seq_num: number } | undefined;
      if (!row) throw new Error(`no container instance ${arn}`);
      return row.seq_num;
    },

    getTask: (arn) => parse<TaskRecord>(q.getTask.get(arn) as { doc: string } | undefined),
    putTask: (rec) => {
      const isLive = rec.lastStatus !== 'STOPPED';
      q.putTask.run(rec.arn, rec.cluster, rec.containerInstanceArn, rec.createdAt, JSON.stringify(rec), isLive ? 1 : 0);
      const cached = live.get(rec.cluster);
      if (!cached) return;
      if (isLive) cached.set(rec.arn, rec);
      else cached.delete(rec.arn);
    },
    listTasks: (cluster) => parseAll<TaskRecord>(q.listTasks.all(cluster)),
    listLiveTasks: (cluster) => {
      let cached = live.get(cluster);
      if (!cached) {
        cached = new Map(parseAll<TaskRecord>(q.listLive.all(cluster)).map((t) => [t.arn, t]));
        live.set(cluster, cached);
      }
      return [...cached.values()];
    },
    getService: (arn) => parse<ServiceRecord>(q.getSvc.get(arn) as { doc: string } | undefined),
    putService: (rec) => void q.putSvc.run(rec.arn, rec.cluster, rec.name, JSON.stringify(rec)),
    listServices: (cluster) => parseAll<ServiceRecord>(q.listSvc.all(cluster)),
    listTasksOnInstance: (arn) => parseAll<TaskRecord>(q.listInstTasks.all(arn)),

    getCapacityProvider: (name) => parse<CapacityProviderRecord>(q.getCp.get(name) as { doc: string } | undefined),
    putCapacityProvider: (rec) => void q.putCp.run(rec.name, JSON.stringify(rec)),
    listCapacityProviders: () => parseAll<CapacityProviderRecord>(q.listCp.all()),

    putPendingMessage: (m) => void q.putMsg.run(m.messageId, m.instanceArn, m.seqNum, m.body),
    ackMessage: (id) => q.ackMsg.run(id).changes > 0,
    pendingMessages: (arn) => q.listMsg.all(arn) as PendingMessage[],
    dropPendingMessages: (arn) => void q.dropMsg.run(arn),

    close: () => database.close(),
  };
}

/** A database of its own with only ECS's tables (tests and benchmarks that need nothing else). */
export function openStore(dataDir: string): EcsStore {
  return openEcsStore(openDatabase(dataDir));
}
