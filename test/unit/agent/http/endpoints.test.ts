import t, { type Test } from 'tap';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { CredentialsStore } from '../../../../src/agent/credentials/store.js';
import { startLocalEndpoints, pruneCredentials } from '../../../../src/agent/http/endpoints.js';
import type { TaskRecord } from '../../../../src/agent/model/task.js';
import { silentLogger } from '../../../../src/shared/log.js';
import { record, scriptedRuntime } from '../../../kit/http-fixtures.js';

const CLUSTER = 'md-unit';
const A = 'arn:aws:ecs:us-west-2:123456789012:task/md-unit/aaaa';
const B = 'arn:aws:ecs:us-west-2:123456789012:task/md-unit/bbbb';
const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
const CREDS = { roleArn: 'arn:aws:iam::123456789012:role/app', accessKeyId: 'ASIAUNITTESTKEYAAAA', secretAccessKey: 's'.repeat(40), sessionToken: 'tok', expiration: '2030-01-01T01:00:00Z' };

async function setup(t: Test) {
  // Task A's container has 127.0.0.1 as its address, so this test's requests come "from" task A.
  const records: TaskRecord[] = [record({ arn: A, dockerId: ID_A, v3Id: 'v3-a' }), record({ arn: B, dockerId: ID_B, v3Id: 'v3-b' })];
  const credentials = new CredentialsStore();
  credentials.put({ taskArn: A, roleType: 'TaskApplication', credentials: { ...CREDS, credentialsId: 'cred-a' } });
  credentials.put({ taskArn: B, roleType: 'TaskApplication', credentials: { ...CREDS, credentialsId: 'cred-b' } });
  const config = loadConfig(
    // No ECS_DATADIR here: without the switch the audit log would go to /data/log/audit.log (local-config.test.ts covers it).
    { AWS_DEFAULT_REGION: 'us-west-2', ECS_CLUSTER: CLUSTER, BERTH_INTROSPECTION_PORT: '0', BERTH_METADATA_PORT: '0', ECS_AUDIT_LOGFILE_DISABLED: 'true' },
    { configFile: '/nonexistent/x' },
  );
  const ep = await startLocalEndpoints({
    config,
    runtime: scriptedRuntime({ [ID_A]: '127.0.0.1', [ID_B]: '10.99.0.2' }),
    records: () => records,
    credentials,
    stats: undefined,
    containerInstanceArn: () => 'arn:aws:ecs:us-west-2:123456789012:container-instance/md-unit/ci',
    availabilityZone: () => 'us-west-2a',
    log: silentLogger(),
  });
  t.teardown(() => ep.close());
  const get = async (port: number, path: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };
  return { ep, records, credentials, intro: (p: string) => get(ep.introspectionPort, p), tmds: (p: string) => get(ep.metadataPort, p) };
}

const keys = (o: unknown): string[] => Object.keys(o as object);

t.test('introspection /v1/metadata and /v1/tasks have the official shapes, member for member', async (t) => {
  const { intro } = await setup(t);
  const meta = await intro('/v1/metadata');
  t.same(keys(meta.body), ['Cluster', 'ContainerInstanceArn', 'Version']);
  t.match(meta.body, { Cluster: CLUSTER, ContainerInstanceArn: /container-instance/, Version: /^Amazon ECS Agent - v\S+ \(\S+\)$/ });
  const all = (await intro('/v1/tasks')).body as { Tasks: Record<string, unknown>[] };
  t.same(keys(all), ['Tasks']);
  t.equal(all.Tasks.length, 2);
  const task = all.Tasks[0]!;
  t.same(keys(task), ['Arn', 'DesiredStatus', 'KnownStatus', 'Family', 'Version', 'Containers']);
  t.match(task, { Arn: A, DesiredStatus: 'RUNNING', KnownStatus: 'RUNNING', Family: 'md-web', Version: '7' });
  const c = (task['Containers'] as Record<string, unknown>[])[0]!;
  t.same(keys(c), ['DockerId', 'DockerName', 'Name', 'Ports']);
  t.same(c['Ports'], [{ ContainerPort: 8080, Protocol: 'tcp', HostPort: 47001 }], 'IPv6 bindings are not listed twice');
});

t.test('introspection finds tasks by docker id (short ids too) and by ARN, with the official errors', async (t) => {
  const { intro, records } = await setup(t);
  t.match((await intro(`/v1/tasks?dockerid=${ID_A}`)).body, { Arn: A });
  t.match((await intro(`/v1/tasks?dockerid=${ID_B.slice(0, 12)}`)).body, { Arn: B }, 'a 12-character short id');
  t.match(await intro(`/v1/tasks?dockerid=${'c'.repeat(64)}`), { status: 404, body: {} });
  t.match(await intro(`/v1/tasks?dockerid=${ID_A.slice(0, 13)}`), { status: 404 }, 'longer than 12 must match exactly');
  t.match((await intro(`/v1/tasks?taskarn=${encodeURIComponent(B)}`)).body, { Arn: B });
  t.match(await intro(`/v1/tasks?taskarn=${encodeURIComponent(A)}x`), { status: 404 });
  t.match(await intro(`/v1/tasks?taskarn=${encodeURIComponent(A)}&dockerid=${ID_A}`), { status: 400 }, 'both parameters: 400');
  records.push(record({ arn: `${A}2`, dockerId: `${ID_A.slice(0, 12)}ff`, v3Id: 'v3-a2' }));
  t.match(await intro(`/v1/tasks?dockerid=${ID_A.slice(0, 12)}`), { status: 400 }, 'an ambiguous short id: 400');
  records.pop();
  t.match((await intro('/license')).body, /Apache License/);
  t.same((await intro('/nothing/here')).body, { AvailableCommands: ['/v1/metadata', '/v1/tasks', '/license'] });
});

t.test('v3 and v4 answer by endpoint id with the official member names', async (t) => {
  const { tmds } = await setup(t);
  const v4c = (await tmds('/v4/v3-a')).body as Record<string, unknown>;
  t.same(keys(v4c), ['DockerId', 'Name', 'DockerName', 'Image', 'ImageID', 'Ports', 'Labels', 'DesiredStatus', 'KnownStatus', 'Limits', 'CreatedAt', 'StartedAt', 'Type', 'Networks', 'LogDriver', 'LogOptions']);
  t.match(v4c, {
    DockerId: ID_A, Name: 'web', Image: 'berth/busybox:latest', ImageID: 'sha256:0123456789abcdef', Limits: { CPU: 10, Memory: 64 },
    CreatedAt: '2030-01-01T00:00:02.000Z', Type: 'NORMAL', Networks: [{ NetworkMode: 'bridge', IPv4Addresses: ['127.0.0.1'] }],
    LogDriver: 'json-file', LogOptions: { 'max-size': '1m' },
  });
  t.same((v4c['Ports'] as unknown[])[0], { ContainerPort: 8080, Protocol: 'tcp', HostPort: 47001, HostIp: '0.0.0.0' });
  const v4t = (await tmds('/v4/v3-a/task')).body as Record<string, unknown>;
  t.same(keys(v4t), ['Cluster', 'TaskARN', 'Family', 'Revision', 'DesiredStatus', 'KnownStatus', 'Containers', 'Limits', 'PullStartedAt', 'PullStoppedAt', 'AvailabilityZone', 'LaunchType', 'FaultInjectionEnabled']);
  t.match(v4t, { Cluster: CLUSTER, TaskARN: A, Revision: '7', Limits: { CPU: 0.25, Memory: 256 }, PullStartedAt: '2030-01-01T00:00:00.000Z', LaunchType: 'EC2' });
  const v3t = (await tmds('/v3/v3-b/task')).body as Record<string, unknown>;
  t.equal(v3t['TaskARN'], B);
  t.notOk('LaunchType' in v3t, 'v3 has no v4 members');
  t.notOk('HostIp' in ((v3t['Containers'] as Record<string, unknown[]>[])[0]!['Ports']![0] as object));
  t.match(await tmds('/v4/unknown-id/task'), { status: 404 });
  t.match(await tmds('/v3/unknown-id'), { status: 400 });
});

t.test('v2 identifies the caller by its source address', async (t) => {
  const { tmds } = await setup(t);
  const v2 = await tmds('/v2/metadata');
  t.equal(v2.status, 200);
  t.match(v2.body, { TaskARN: A, Containers: [{ DockerId: ID_A }] }, 'requests from 127.0.0.1 are task A here');
  t.match((await tmds(`/v2/metadata/${ID_A}`)).body, { DockerId: ID_A, Name: 'web' });
  t.match(await tmds(`/v2/metadata/${ID_B}`), { status: 400 }, 'another task\'s container is not visible');
});

t.test('credentials are served only to the owning task, with the official error JSON otherwise', async (t) => {
  const { tmds, records, credentials } = await setup(t);
  const ok = await tmds('/v2/credentials/cred-a');
  t.equal(ok.status, 200);
  t.same(ok.body, { RoleArn: CREDS.roleArn, AccessKeyId: CREDS.accessKeyId, SecretAccessKey: CREDS.secretAccessKey, Token: 'tok', Expiration: CREDS.expiration });
  t.same((await tmds('/v1/credentials?id=cred-a')).body, ok.body, 'the v1 form too');
  t.same(await tmds('/v2/credentials/cred-b'), {
    status: 400,
    body: { code: 'InvalidIdInRequest', message: 'CredentialsV2Request: Credentials not found', HTTPErrorCode: 400 },
  }, 'another task\'s id is refused like an unknown one');
  t.match(await tmds('/v2/credentials/nope'), { status: 400, body: { code: 'InvalidIdInRequest', HTTPErrorCode: 400 } });
  t.match(await tmds('/v2/credentials/'), { status: 400, body: { code: 'NoIdInRequest' } });
  t.match(await tmds('/v1/credentials'), { status: 400, body: { code: 'NoIdInRequest', message: /CredentialsV1Request/ } });
  records[0]!.state.known = 'STOPPED';
  t.match(await tmds('/v2/credentials/cred-a'), { status: 400, body: { code: 'InvalidIdInRequest' } }, 'a stopped task\'s role is gone');
  t.equal(credentials.get('cred-a'), undefined, 'and deleted from memory');
  records.splice(1, 1);
  pruneCredentials({ records: () => records, credentials });
  t.equal(credentials.get('cred-b'), undefined, 'a cleaned-up task loses everything');
});
