/**
 * Container secrets through the task actor (engine/transitions.ts create path) on berth's fake runtime, with the
 * real emulator as Parameter Store: a task without execution role credentials stops with the official reason
 * and nothing is created; after an agent restart (a pulled container, credentials re-delivered late by ACS) the
 * secrets are read again and reach the create request, while the record never holds a value.
 */
import t from 'tap';
import { TaskActor } from '../../../../src/agent/engine/task-actor.js';
import { PortAllocator } from '../../../../src/agent/network/port-allocator.js';
import { StateStore } from '../../../../src/agent/state/store.js';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { silentLogger } from '../../../../src/shared/log.js';
import type { TaskStateChange } from '../../../../src/agent/reporter/state-change.js';
import type { CreateContainerRequest } from '../../../../src/agent/runtime/runtime.js';
import type { TaskRecord } from '../../../../src/agent/model/task.js';
import type { IAMRoleCredentials } from '../../../../src/shared/protocol/acs.js';
import { FakeRuntime } from '../../../kit/fake-runtime.js';
import { startTestEmulator } from '../../../kit/emulator.js';
import { waitUntil } from '../../../kit/wait.js';
import { container, record } from '../../../kit/engine-fixtures.js';

const CREDS: IAMRoleCredentials = { credentialsId: 'exec-1', accessKeyId: 'ASIAEXAMPLEEXAMPLE00', secretAccessKey: 'secret', sessionToken: 'token' };
const VALUE = 'actor-s3cret-Jw3';

class RecordingRuntime extends FakeRuntime {
  readonly requests: CreateContainerRequest[] = [];
  override async createContainer(req: CreateContainerRequest): Promise<string> {
    this.requests.push(req);
    return super.createContainer(req);
  }
}

function actorFor(t: { teardown(fn: () => unknown): void }, rec: TaskRecord, endpoint: string, credentials: () => IAMRoleCredentials | undefined) {
  const runtime = new RecordingRuntime();
  const store = new StateStore({ dataDir: undefined });
  const submitted: TaskStateChange[] = [];
  const config = loadConfig({ AWS_DEFAULT_REGION: 'us-east-1', ECS_CLUSTER: 'unit', AWS_ENDPOINT_URL_SSM: endpoint }, { configFile: '/nonexistent/x' });
  store.saveTask(rec);
  const actor = new TaskActor({
    record: rec,
    runtime,
    store,
    ports: new PortAllocator({ range: [46100, 46110], reservedTcp: [], reservedUdp: [], probe: async () => true }),
    config,
    submit: (c) => submitted.push(c),
    onCleanedUp: () => undefined,
    log: silentLogger(),
    executionCredentials: () => credentials(),
  });
  t.teardown(async () => {
    await actor.close();
    store.close();
  });
  return { runtime, actor, submitted };
}

const until = (what: string, cond: () => boolean, ms = 5000): Promise<true> => waitUntil(what, cond, { timeoutMs: ms, intervalMs: 5 });

t.test('a task with secrets but no execution role credentials stops with the official reason; nothing is created', async (t) => {
  const { emu } = await startTestEmulator(t);
  const rec = record([container('app', { portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }], secrets: [{ name: 'P', valueFrom: '/p', provider: 'ssm', region: '' }] })]);
  const { runtime, actor, submitted } = actorFor(t, rec, emu.url, () => undefined);
  actor.start();
  await until('STOPPED reported', () => submitted.some((c) => c.status === 'STOPPED'));
  const stopped = submitted.find((c) => c.status === 'STOPPED')!;
  t.equal(stopped.input.reason, 'ResourceInitializationError: ssm secret resource: unable to find execution role credentials');
  t.same(runtime.calls.filter((c) => c.startsWith('create')), [], 'no container was created');
  t.equal(rec.state.containers[0]!.dockerName, undefined, 'no name or host port was assigned');
});

t.test('after a restart the secrets are read again, with credentials ACS re-delivers, and only the create request holds them', async (t) => {
  const { emu } = await startTestEmulator(t);
  const put = await fetch(emu.url, { method: 'POST', headers: { 'X-Amz-Target': 'AmazonSSM.PutParameter' }, body: JSON.stringify({ Name: '/p', Value: VALUE, Type: 'SecureString' }) });
  t.equal(put.status, 200);
  const rec = record([container('app', { environment: { P: 'plain' }, secrets: [{ name: 'P', valueFrom: '/p', provider: 'ssm', region: '' }] })]);
  rec.spec.executionCredentialsId = CREDS.credentialsId!;
  rec.state.containers[0]!.known = 'PULLED'; // where the previous agent process got to
  let polls = 0;
  const { runtime, actor, submitted } = actorFor(t, rec, emu.url, () => (++polls < 3 ? undefined : CREDS));
  actor.start();
  await until('RUNNING reported', () => submitted.some((c) => c.status === 'RUNNING'));
  t.equal(runtime.requests.length, 1, 'created once');
  const env = runtime.requests[0]!.body['Env'] as string[];
  t.ok(env.includes(`P=${VALUE}`), 'the secret wins over the plain variable');
  t.notOk(JSON.stringify(rec).includes(VALUE), 'the task record (what the store saves) holds no value');
  t.notOk(JSON.stringify(submitted).includes(VALUE), 'nor does any state change');
});
