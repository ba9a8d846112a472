/**
 * The emulator's ECR: GetAuthorizationToken (driven through the aws CLI like a user would, and raw for bad input)
 * hands out the emulated registry's login as an ECR token, and the ACS payload gives ECR images
 * registryAuthentication {type ecr} as ECS does (§3.4), with the emulator as endpointOverride for its own registry.
 */
import t from 'tap';
import { ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { silentLogger } from '../../../src/shared/log.js';
import { startEmulator, type EmulatorOptions } from '../../../src/emulator/index.js';
import { tempDataDir, type Teardownable } from '../../kit/emulator.js';
import { FakeAgent } from '../../kit/fake-agent.js';
import { awsCli, haveAwsCli, type Json } from '../../kit/aws-cli.js';
import { clusterWithInstance } from '../../kit/emulator-fixtures.js';

const TARGET = 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken';
const ACCOUNT = '000000000000';
const EXEC_ROLE = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';


async function emulator(t: Teardownable, ecr?: EmulatorOptions['ecr']) {
  const emu = await startEmulator({ port: 0, dataDir: tempDataDir(t), log: silentLogger(), heartbeatIntervalMs: 100, serviceTickMs: 50, ...(ecr ? { ecr } : { ecrRegistry: false }) });
  const ecs = new ECSClient({ endpoint: emu.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
  t.teardown(async () => {
    ecs.destroy();
    await emu.close();
  });
  return { emu, ecs };
}

async function raw(url: string, body: string, target = TARGET): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method: 'POST', headers: { 'X-Amz-Target': target, 'Content-Type': 'application/x-amz-json-1.1' }, body });
  return { status: res.status, body: (await res.json()) as Json };
}

const awsEcr = (url: string, ...args: string[]) => awsCli(url, ['ecr', ...args]);

t.test('aws ecr get-authorization-token gets the emulated registry\'s login as an ECR token', { skip: haveAwsCli() ? false : 'aws CLI not on PATH' }, async (t) => {
  const { emu } = await emulator(t, { registry: '127.0.0.1:5999', username: 'AWS', password: 'ecr-pw-Jk2', tokenTtlMs: 3_600_000 });
  const before = Date.now();
  const r = await awsEcr(emu.url, 'get-authorization-token');
  if (!r.ok) throw new Error(r.error);
  const data = (r.out['authorizationData'] as Json[])[0]!;
  t.equal(Buffer.from(String(data['authorizationToken']), 'base64').toString(), 'AWS:ecr-pw-Jk2');
  t.equal(data['proxyEndpoint'], 'https://127.0.0.1:5999', "ECR's form: https:// and the registry host");
  // aws CLI v1 prints the timestamp as epoch seconds, v2 as ISO 8601.
  const expires = typeof data['expiresAt'] === 'number' ? data['expiresAt'] * 1000 : Date.parse(String(data['expiresAt']));
  t.ok(expires >= before + 3_600_000 - 1000 && expires <= Date.now() + 3_600_000, `expiresAt ${String(data['expiresAt'])} is the token lifetime away`);

  const byId = await awsEcr(emu.url, 'get-authorization-token', '--registry-ids', ACCOUNT);
  t.ok(byId.ok && (byId.out['authorizationData'] as Json[]).length === 1, 'the emulator account\'s registry by ID');
  const other = await awsEcr(emu.url, 'get-authorization-token', '--registry-ids', '111111111111');
  t.ok(!other.ok && /InvalidParameterException/.test(other.error) && /111111111111 is not emulated here/.test(other.error), !other.ok ? other.error : 'expected an error');
});

t.test('GetAuthorizationToken refuses bad input with ECR-shaped errors', async (t) => {
  const { emu } = await emulator(t, { registry: '127.0.0.1:5999', username: 'u', password: 'p' });
  const bad = async (body: string, type: string, message: RegExp, target = TARGET) => {
    const r = await raw(emu.url, body, target);
    t.equal(r.status, 400, body);
    t.equal(r.body['__type'], type, body);
    t.match(r.body['message'], message, body);
    t.notOk(JSON.stringify(r.body).includes(Buffer.from('u:p').toString('base64')), 'no token in an error');
  };
  await bad('{"registryIds":["12345"]}', 'InvalidParameterException', /regular expression pattern: \[0-9\]\{12\}/);
  await bad('{"registryIds":[]}', 'InvalidParameterException', /length between 1 and 10/);
  await bad(JSON.stringify({ registryIds: Array(11).fill(ACCOUNT) }), 'InvalidParameterException', /length between 1 and 10/);
  await bad('{"registryIds":"000000000000"}', 'SerializationException', /list of strings/);
  await bad('{"registryIds":', 'SerializationException', /structure/);
  await bad('[]', 'SerializationException', /JSON object/);
  await bad('{}', 'UnknownOperationException', /ECR PutReplicationConfiguration is not emulated by berth/, 'AmazonEC2ContainerRegistry_V20150921.PutReplicationConfiguration');
  await bad('{}', 'InvalidParameterException', /external registry 127\.0\.0\.1:5999 \(--ecr-registry\), which berth does not manage/, 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories');
  const ok = await raw(emu.url, '');
  t.equal(ok.status, 200, 'an empty body is the default registry');

  const { emu: none } = await emulator(t);
  const r = await raw(none.url, '{}');
  t.equal(r.body['__type'], 'InvalidParameterException');
  t.match(r.body['message'], /runs without an ECR registry: .*docker-registry.*--ecr-registry/, 'an emulator without a registry says how to get one');
});

t.test('ECR images are sent with registryAuthentication type ecr, as ECS sends them', async (t) => {
  const { emu, ecs } = await emulator(t, { registry: '127.0.0.1:5999', username: 'u', password: 'p' });
  const { cluster, instanceArn } = await clusterWithInstance(ecs, { memory: 512 });
  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  const containers = [
    { name: 'emulated', image: '127.0.0.1:5999/app:1', memory: 16 },
    { name: 'real', image: '123456789012.dkr.ecr.eu-central-1.amazonaws.com/app:2', memory: 16 },
    { name: 'other', image: '127.0.0.1:6000/app:1', memory: 16 },
    { name: 'hub', image: 'busybox', memory: 16 },
    { name: 'asm', image: '127.0.0.1:5999/app:1', memory: 16, repositoryCredentials: { credentialsParameter: 'creds' } },
  ];
  const sent = async (family: string, executionRoleArn?: string) => {
    await ecs.send(new RegisterTaskDefinitionCommand({ family, ...(executionRoleArn ? { executionRoleArn } : {}), containerDefinitions: containers }));
    await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }));
    const task = (await agent.nextPayload()).tasks![0]!;
    return (name: string) => task.containers!.find((c) => c.name === name)!.registryAuthentication;
  };
  const withRole = await sent('ecr-role', EXEC_ROLE);
  t.same(withRole('emulated'), { type: 'ecr', ecrAuthData: { registryId: ACCOUNT, region: 'us-east-1', useExecutionRole: true, endpointOverride: emu.url } }, 'the emulated registry: this emulator as the ECR endpoint');
  t.same(withRole('real'), { type: 'ecr', ecrAuthData: { registryId: '123456789012', region: 'eu-central-1', useExecutionRole: true } }, 'a real ECR host: its account and region, no override');
  t.notOk(withRole('other'), 'another registry: no ECR auth');
  t.notOk(withRole('hub'), 'Docker Hub: no ECR auth');
  t.equal(withRole('asm')?.type, 'asm', 'repositoryCredentials win');

  const noRole = await sent('ecr-instance');
  t.same(noRole('emulated'), { type: 'ecr', ecrAuthData: { registryId: ACCOUNT, region: 'us-east-1', useExecutionRole: false, endpointOverride: emu.url } }, 'without an execution role: the instance credentials');
});

t.test('a configured ECR endpoint is what tasks are told to use', async (t) => {
  const { emu, ecs } = await emulator(t, { registry: 'registry.internal:5000', username: 'u', password: 'p', endpoint: 'http://10.0.0.5:8800/' });
  const { cluster, instanceArn } = await clusterWithInstance(ecs, { memory: 512 });
  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'ecr-endpoint', containerDefinitions: [{ name: 'c', image: 'registry.internal:5000/team/app:1', memory: 16 }] }));
  await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'ecr-endpoint' }));
  const c = (await agent.nextPayload()).tasks![0]!.containers![0]!;
  t.same(c.registryAuthentication?.ecrAuthData?.endpointOverride, 'http://10.0.0.5:8800');
});
