/**
 * The task metadata server's ECS-backed paths with scripted ECS calls: taskWithTags / metadataWithTags (tags,
 * v4 Errors[] on a failed lookup) and the task-protection endpoint (official answers, task role only).
 */
import t, { type Test } from 'tap';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { CredentialsStore } from '../../../../src/agent/credentials/store.js';
import { startLocalEndpoints } from '../../../../src/agent/http/endpoints.js';
import type { ProtectionAnswer, ProtectionRequest, TaskProtectionCalls } from '../../../../src/agent/http/task-protection.js';
import { decodePutBody } from '../../../../src/agent/http/task-protection.js';
import type { TaskRecord } from '../../../../src/agent/model/task.js';
import { silentLogger } from '../../../../src/shared/log.js';
import { record, scriptedRuntime } from '../../../kit/http-fixtures.js';

const A = 'arn:aws:ecs:us-west-2:123456789012:task/md-unit/aaaa';
const B = 'arn:aws:ecs:us-west-2:123456789012:task/md-unit/bbbb';
const INSTANCE = 'arn:aws:ecs:us-west-2:123456789012:container-instance/md-unit/ci';
const CREDS = { roleArn: 'arn:aws:iam::123456789012:role/app', accessKeyId: 'ASIATASKROLEAAAA', secretAccessKey: 's'.repeat(40), sessionToken: 'tok', expiration: '2030-01-01T01:00:00Z', credentialsId: 'cred-a' };

/** An SDK-shaped service error, as @aws-sdk/client-ecs throws them. */
function sdkError(name: string, message: string, httpStatusCode: number, requestId: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode, requestId } });
}

type Json = Record<string, unknown>;

async function setup(t: Test, opts: { tags?: Record<string, Record<string, string> | Error>; answer?: (op: string, req: ProtectionRequest) => Promise<ProtectionAnswer> } = {}) {
  const records: TaskRecord[] = [record({ arn: A, dockerId: 'a'.repeat(64), v3Id: 'v3-a' }), record({ arn: B, dockerId: 'b'.repeat(64), v3Id: 'v3-b' })];
  const credentials = new CredentialsStore();
  credentials.put({ taskArn: A, roleType: 'TaskApplication', credentials: CREDS });
  credentials.put({ taskArn: B, roleType: 'TaskExecution', credentials: { ...CREDS, credentialsId: 'exec-b', accessKeyId: 'ASIAEXECROLEBBBB' } });
  const calls: { op: string; req: ProtectionRequest & { protectionEnabled?: boolean; expiresInMinutes?: number } }[] = [];
  const answer = opts.answer ?? (async (_op, req) => ({ protectedTasks: [{ taskArn: req.taskArn, protectionEnabled: true, expirationDate: new Date('2030-01-01T02:00:00Z') }], failures: [] }));
  const taskProtection: TaskProtectionCalls = {
    get: async (req) => (calls.push({ op: 'get', req }), answer('get', req)),
    update: async (req) => (calls.push({ op: 'update', req }), answer('update', req)),
  };
  const tags: Record<string, Record<string, string> | Error> = opts.tags ?? { [A]: { env: 'test', team: 'a' }, [INSTANCE]: { rack: '7' } };
  const config = loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ECS_CLUSTER: 'md-unit', BERTH_INTROSPECTION_PORT: '0', BERTH_METADATA_PORT: '0' }, { configFile: '/nonexistent/x' });
  const ep = await startLocalEndpoints({
    config,
    runtime: scriptedRuntime({ ['a'.repeat(64)]: '127.0.0.1', ['b'.repeat(64)]: '10.99.0.2' }),
    records: () => records,
    credentials,
    stats: undefined,
    containerInstanceArn: () => INSTANCE,
    availabilityZone: () => 'us-west-2a',
    resourceTags: async (arn) => {
      const v = tags[arn];
      if (v instanceof Error) throw v;
      return v ?? {};
    },
    taskProtection,
    log: silentLogger(),
  });
  t.teardown(() => ep.close());
  const request = async (path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`http://127.0.0.1:${ep.metadataPort}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : text };
  };
  const put = (path: string, body: string) => request(path, { method: 'PUT', body, headers: { 'Content-Type': 'application/json' } });
  return { request, put, calls, credentials };
}

t.test('taskWithTags adds the task and container instance tags in the official member order, /task does not', async (t) => {
  const { request } = await setup(t);
  const v4 = (await request('/v4/v3-a/taskWithTags')).body as Json;
  t.same(Object.keys(v4), ['Cluster', 'TaskARN', 'Family', 'Revision', 'DesiredStatus', 'KnownStatus', 'Containers', 'Limits', 'PullStartedAt', 'PullStoppedAt', 'AvailabilityZone', 'TaskTags', 'ContainerInstanceTags', 'LaunchType', 'FaultInjectionEnabled']);
  t.same(v4['TaskTags'], { env: 'test', team: 'a' });
  t.same(v4['ContainerInstanceTags'], { rack: '7' });
  t.match((await request('/v3/v3-a/taskWithTags')).body, { TaskARN: A, TaskTags: { env: 'test' }, ContainerInstanceTags: { rack: '7' } });
  t.match((await request('/v2/metadataWithTags')).body, { TaskARN: A, TaskTags: { team: 'a' }, ContainerInstanceTags: { rack: '7' } }, 'v2 finds the caller by address');
  const plain = (await request('/v4/v3-a/task')).body as Json;
  t.notOk('TaskTags' in plain || 'ContainerInstanceTags' in plain, '/task asks ECS for nothing');
  t.notOk('TaskTags' in ((await request('/v4/v3-b/taskWithTags')).body as Json), 'a task without tags has no TaskTags (omitempty)');
});

t.test('a failed tag lookup leaves its member out, adds an Errors[] entry on v4 only, and still answers 200', async (t) => {
  const { request } = await setup(t, { tags: { [A]: sdkError('AccessDeniedException', 'not allowed to list tags', 400, 'req-123'), [INSTANCE]: { rack: '7' } } });
  const v4 = await request('/v4/v3-a/taskWithTags');
  t.equal(v4.status, 200);
  const body = v4.body as Json;
  t.notOk('TaskTags' in body);
  t.same(body['ContainerInstanceTags'], { rack: '7' }, 'the lookup that worked is still served');
  t.same(body['Errors'], [{ ErrorField: 'TaskTags', ErrorCode: 'AccessDeniedException', ErrorMessage: 'not allowed to list tags', StatusCode: 400, RequestId: 'req-123', ResourceARN: A }]);
  t.same(Object.keys(body).slice(-3), ['LaunchType', 'Errors', 'FaultInjectionEnabled']);
  const v3 = await request('/v3/v3-a/taskWithTags');
  t.equal(v3.status, 200);
  t.notOk('Errors' in (v3.body as Json), 'v3 has no Errors member');

  const both = await setup(t, { tags: { [A]: new Error('connect ECONNREFUSED 127.0.0.1:1'), [INSTANCE]: sdkError('ResourceNotFoundException', 'The specified resource could not be found.', 400, 'req-9') } });
  const errs = ((await both.request('/v4/v3-a/taskWithTags')).body as Json)['Errors'];
  t.same(errs, [
    { ErrorField: 'ContainerInstanceTags', ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'The specified resource could not be found.', StatusCode: 400, RequestId: 'req-9', ResourceARN: INSTANCE },
    { ErrorField: 'TaskTags', ErrorMessage: 'connect ECONNREFUSED 127.0.0.1:1', ResourceARN: A },
  ], 'instance first, then task; a transport error has only its message');
});

t.test('task protection GET and PUT call ECS with the task role and answer the official protection JSON', async (t) => {
  const { request, put, calls } = await setup(t);
  const got = await request('/api/v3-a/task-protection/v1/state');
  t.same(got, { status: 200, body: { protection: { ExpirationDate: '2030-01-01T02:00:00Z', ProtectionEnabled: true, TaskArn: A } } });
  t.equal(calls[0]!.op, 'get');
  t.match(calls[0]!.req, { cluster: 'md-unit', taskArn: A, credentials: { accessKeyId: 'ASIATASKROLEAAAA' } }, 'signed with the task role');
  t.equal((await put('/api/v3-a/task-protection/v1/state', '{"ProtectionEnabled":true,"ExpiresInMinutes":60}')).status, 200);
  t.match(calls[1], { op: 'update', req: { protectionEnabled: true, expiresInMinutes: 60, taskArn: A } });
  await put('/api/v3-a/task-protection/v1/state', '{"protectionenabled":false}');
  t.match(calls[2], { op: 'update', req: { protectionEnabled: false } }, 'member names match case-insensitively, like Go');
  t.notOk('expiresInMinutes' in calls[2]!.req);
});

t.test('task protection refuses bad requests in the official order with the official error JSON', async (t) => {
  const { request, put, calls } = await setup(t);
  const path = '/api/v3-a/task-protection/v1/state';
  const decodeError = { status: 400, body: { error: { Code: 'InvalidParameterException', Message: 'UpdateTaskProtection: failed to decode request' } } };
  t.same(await put(path, 'not json'), decodeError);
  t.same(await put(path, '{"ProtectionEnabled":true,"Extra":1}'), decodeError, 'unknown members are refused');
  t.same(await put(path, '{"ProtectionEnabled":"yes"}'), decodeError);
  t.same(await put('/api/nope/task-protection/v1/state', '{'), decodeError, 'the body is decoded before the task is looked up');
  t.same(await put('/api/nope/task-protection/v1/state', '{"ProtectionEnabled":true}'), { status: 404, body: { error: { Code: 'ResourceNotFoundException', Message: 'Failed to find a task for the request' } } });
  t.same(await put(path, '{"ExpiresInMinutes":5}'), { status: 400, body: { error: { Arn: A, Code: 'InvalidParameterException', Message: "Invalid request: does not contain 'ProtectionEnabled' field" } } });
  const noRole = { status: 403, body: { error: { Arn: B, Code: 'AccessDeniedException', Message: 'Invalid Request: no task IAM role credentials available for task' } } };
  t.same(await request('/api/v3-b/task-protection/v1/state'), noRole, 'an execution role is not a task role');
  t.same(await put('/api/v3-b/task-protection/v1/state', '{"ProtectionEnabled":true}'), noRole);
  t.equal((await request(path, { method: 'POST', body: '{}' })).status, 405);
  t.equal(calls.length, 0, 'ECS was never called');
  t.same(decodePutBody('{"ProtectionEnabled":null,"ExpiresInMinutes":null}'), { protectionEnabled: undefined, expiresInMinutes: undefined }, 'null is absent');
  t.equal(decodePutBody('[true]'), undefined);
});

t.test('ECS errors and failures come back in the official shapes', async (t) => {
  let next: () => Promise<ProtectionAnswer> = async () => ({});
  const { request, put } = await setup(t, { answer: () => next() });
  const path = '/api/v3-a/task-protection/v1/state';
  next = () => Promise.reject(sdkError('InvalidParameterException', 'expiresInMinutes must be between 1 and 2880', 400, 'req-7'));
  t.same(await put(path, '{"ProtectionEnabled":true,"ExpiresInMinutes":9999}'), {
    status: 400,
    body: { requestID: 'req-7', error: { Arn: A, Code: 'InvalidParameterException', Message: 'expiresInMinutes must be between 1 and 2880' } },
  });
  next = async () => ({ protectedTasks: [], failures: [{ arn: A, reason: 'TASK_NOT_VALID' }] });
  t.same(await request(path), { status: 200, body: { failure: { Arn: A, Detail: null, Reason: 'TASK_NOT_VALID' } } });
  next = async () => ({ protectedTasks: [{ taskArn: A, protectionEnabled: false }], failures: [] });
  t.same((await request(path)).body, { protection: { ExpirationDate: null, ProtectionEnabled: false, TaskArn: A } });
  next = async () => ({ protectedTasks: [{ taskArn: A }, { taskArn: B }] });
  t.same(await request(path), { status: 500, body: { error: { Arn: A, Code: 'ServerException', Message: 'Unexpected error occurred' } } });
  next = () => Promise.reject(new Error('socket hang up'));
  t.same(await request(path), { status: 500, body: { error: { Arn: A, Code: 'ServerException', Message: 'socket hang up' } } });
});
