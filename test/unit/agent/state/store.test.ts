/** The crash-safe store: file modes, WAL, migrations, ENI attachments, identity, write failures, SIGKILL. */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { statSync, existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StateStore, STATE_FILE } from '../../../../src/agent/state/store.js';
import { MIGRATIONS, migrate } from '../../../../src/agent/state/migrations.js';
import { ManifestState } from '../../../../src/agent/acs/responders/manifest-state.js';
import type { TaskRecord } from '../../../../src/agent/model/task.js';
import { tempDataDir } from '../../../kit/agent-harness.js';

function record(arn: string): TaskRecord {
  return {
    spec: { arn, family: 'dur', version: '1', networkMode: 'bridge', containers: [] } as unknown as TaskRecord['spec'],
    state: { desired: 'RUNNING', known: 'NONE', sent: 'NONE', reason: '', pullStartedAt: undefined, pullStoppedAt: undefined, executionStoppedAt: undefined, stoppedAt: undefined, containers: [] } as unknown as TaskRecord['state'],
  };
}

t.test('the database, its WAL and its shared-memory file are readable by root only, in a 0700 directory', async (t) => {
  const dir = tempDataDir(t);
  const store = new StateStore({ dataDir: dir });
  t.teardown(() => store.close());
  store.setMeta('cluster-name', 'dur-modes');
  t.equal(statSync(dir).mode & 0o777, 0o700);
  for (const f of [STATE_FILE, `${STATE_FILE}-wal`, `${STATE_FILE}-shm`]) {
    t.ok(existsSync(path.join(dir, f)), `${f} exists`);
    t.equal(statSync(path.join(dir, f)).mode & 0o777, 0o600, `${f} is 0600`);
  }
});

t.test('the store runs in WAL mode at the newest schema version', async (t) => {
  const dir = tempDataDir(t);
  const store = new StateStore({ dataDir: dir });
  store.close();
  const db = new Database(path.join(dir, STATE_FILE));
  t.teardown(() => db.close());
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal((db.prepare('SELECT version FROM schema_version').get() as { version: number }).version, MIGRATIONS.length);
});

t.test('a version-1 database is migrated in place and keeps its data; a newer one is refused', async (t) => {
  const dir = tempDataDir(t);
  const file = path.join(dir, STATE_FILE);
  const db = new Database(file);
  migrate(db, MIGRATIONS.slice(0, 1));
  db.prepare("INSERT INTO metadata (key, value) VALUES ('cluster-name', 'dur-old')").run();
  db.close();
  const store = new StateStore({ dataDir: dir });
  t.equal(store.schemaVersion(), MIGRATIONS.length);
  t.equal(store.getMeta('cluster-name'), 'dur-old');
  t.same(store.loadEniAttachments(), [], 'the new table exists');
  store.close();

  const newer = new Database(file);
  newer.prepare('UPDATE schema_version SET version = ?').run(MIGRATIONS.length + 1);
  newer.close();
  t.throws(() => new StateStore({ dataDir: dir }), { code: 'StateStoreError' });
});

t.test('ENI attachments and the instance identity survive a reopen; discardAll forgets everything', async (t) => {
  const dir = tempDataDir(t);
  let store = new StateStore({ dataDir: dir });
  const eni = { attachmentArn: 'arn:aws:ecs:us-west-2:1:attachment/a1', taskArn: 'arn:task', mac: '0a:00:00:00:00:01', expiresAt: 123, sent: false, details: { ipv4: '10.0.0.5' } };
  store.saveEniAttachment(eni);
  store.saveEniAttachment({ ...eni, sent: true });
  store.setInstanceIdentity({ instanceId: 'i-0123', document: { region: 'us-west-2' } });
  store.saveTask(record('arn:aws:ecs:us-west-2:1:task/dur/1'));
  store.close();
  store = new StateStore({ dataDir: dir });
  t.teardown(() => store.close());
  t.same(store.loadEniAttachments(), [{ ...eni, sent: true }]);
  t.same(store.getInstanceIdentity(), { instanceId: 'i-0123', document: { region: 'us-west-2' } });
  store.deleteEniAttachment(eni.attachmentArn);
  t.same(store.loadEniAttachments(), []);
  store.discardAll();
  t.same(store.loadTasks(), []);
  t.equal(store.getInstanceIdentity(), undefined);
});

t.test('a write that cannot be committed is thrown and reported to the failure handler as transient', async (t) => {
  const dir = tempDataDir(t);
  const store = new StateStore({ dataDir: dir });
  t.teardown(() => store.close());
  const failures: unknown[] = [];
  store.onWriteFailure((err) => failures.push(err));
  const other = new Database(path.join(dir, STATE_FILE));
  other.exec("CREATE TRIGGER full BEFORE INSERT ON metadata BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
  other.close();
  t.throws(() => store.setMeta('agent-version', 'x'), { code: 'StateStoreError', retriable: true });
  t.equal(failures.length, 1);
  t.equal(store.getMeta('agent-version'), undefined);
});

t.test('latestSeqNum is persisted: a restarted agent still skips stale manifests', async (t) => {
  const dir = tempDataDir(t);
  let store = new StateStore({ dataDir: dir });
  const m = new ManifestState(store);
  m.noteSeqNum(7);
  m.noteSeqNum(3);
  t.equal(m.acceptTimeline(7), false, 'a timeline equal to the latest seqNum is stale');
  t.equal(m.acceptTimeline(9), true);
  store.close();
  store = new StateStore({ dataDir: dir });
  t.teardown(() => store.close());
  const again = new ManifestState(store);
  t.equal(again.latestSeqNum, 9);
  t.equal(again.acceptTimeline(9), false);
});

t.test('a committed write survives a SIGKILL of the process right after it', async (t) => {
  const dir = tempDataDir(t);
  const script = `
    import { StateStore } from ${JSON.stringify(path.resolve('src/agent/state/store.ts'))};
    const s = new StateStore({ dataDir: ${JSON.stringify(dir)} });
    for (let i = 0; i < 50; i++) s.setMeta('agent-version', 'v' + i);
    process.kill(process.pid, 'SIGKILL');
  `;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  t.equal(res.signal, 'SIGKILL', res.stderr);
  const store = new StateStore({ dataDir: dir });
  t.teardown(() => store.close());
  t.equal(store.getMeta('agent-version'), 'v49');
});

t.test('a task write marked not durable also survives a SIGKILL, and a durable one after it is fsynced', async (t) => {
  const dir = tempDataDir(t);
  const script = `
    import { StateStore } from ${JSON.stringify(path.resolve('src/agent/state/store.ts'))};
    const s = new StateStore({ dataDir: ${JSON.stringify(dir)} });
    const rec = (arn, known) => ({ spec: { arn, family: 'dur', version: '1', networkMode: 'bridge', containers: [] },
      state: { desired: 'RUNNING', known, sent: 'NONE', reason: '', containers: [] } });
    s.saveTask(rec('arn:a', 'CREATED'), { durable: false });
    s.saveTask(rec('arn:b', 'NONE'));
    s.saveTask(rec('arn:a', 'RUNNING'), { durable: false });
    s.setMeta('agent-version', 'after');
    process.kill(process.pid, 'SIGKILL');
  `;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  t.equal(res.signal, 'SIGKILL', res.stderr);
  const store = new StateStore({ dataDir: dir });
  t.teardown(() => store.close());
  const byArn = new Map(store.loadTasks().map((r) => [r.spec.arn, r.state.known]));
  t.equal(byArn.get('arn:a'), 'RUNNING', 'the last non-durable write is there');
  t.equal(byArn.get('arn:b'), 'NONE');
  t.equal(store.getMeta('agent-version'), 'after', 'metadata writes stay durable');
});
