import t from 'tap';
import {
  DescribeTasksCommand,
  CreateTaskSetCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  ListClustersCommand,
} from '@aws-sdk/client-ecs';
import { rawCall, startTestEmulator } from '../../kit/emulator.js';
import { webTaskDefinition } from '../../kit/emulator-fixtures.js';

const JSON_11 = 'application/x-amz-json-1.1';

t.test('malformed JSON is a SerializationException', async (t) => {
  const { emu } = await startTestEmulator(t);
  const r = await rawCall(emu.url, 'ListClusters', '{"nextToken":');
  t.equal(r.status, 400);
  t.equal(r.contentType, JSON_11);
  t.equal(r.body['__type'], 'SerializationException');
  t.type(r.body['message'], 'string');
});

t.test('an unknown or missing X-Amz-Target is an UnknownOperationException', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const unknown = await rawCall(emu.url, 'LaunchRockets', {});
  t.equal(unknown.status, 400);
  t.equal(unknown.body['__type'], 'UnknownOperationException');
  const missing = await rawCall(emu.url, undefined, {});
  t.equal(missing.body['__type'], 'UnknownOperationException');
  await t.rejects(ecs.send(new CreateTaskSetCommand({} as never)), { name: 'UnknownOperationException' }, 'the SDK sees the name');
});

t.test('a missing required member is an InvalidParameterException naming it, and nothing is stored', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const r = await rawCall(emu.url, 'RegisterTaskDefinition', { containerDefinitions: [{ name: 'a', image: 'busybox' }] });
  t.equal(r.status, 400);
  t.equal(r.body['__type'], 'InvalidParameterException');
  t.match(r.body['message'], /family/);
  const badType = await rawCall(emu.url, 'RegisterTaskDefinition', { family: 'x', containerDefinitions: 'nope' });
  t.equal(badType.body['__type'], 'InvalidParameterException');
  t.match(badType.body['message'], /containerDefinitions/);
  const badEnum = await rawCall(emu.url, 'RegisterTaskDefinition', {
    family: 'x',
    networkMode: 'bogus',
    containerDefinitions: [{ name: 'a', image: 'busybox' }],
  });
  t.match(badEnum.body['message'], /networkMode/);
  const noImage = await rawCall(emu.url, 'RegisterTaskDefinition', { family: 'x', containerDefinitions: [{ name: 'a' }] });
  t.equal(noImage.body['__type'], 'InvalidParameterException');
  await t.rejects(
    ecs.send(new RegisterTaskDefinitionCommand({ family: undefined as unknown as string, containerDefinitions: [] })),
    { name: 'InvalidParameterException' },
  );
  const after = await rawCall(emu.url, 'DescribeTaskDefinition', { taskDefinition: 'x' });
  t.equal(after.body['__type'], 'ClientException', 'no task definition was stored');
  t.equal(after.body['message'], 'Unable to describe task definition.');
  t.equal((await webTaskDefinition(ecs, { family: 'x' })).endsWith(':1'), true, 'failed calls used no revision');
});

t.test('an unknown cluster is a ClusterNotFoundException', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const r = await rawCall(emu.url, 'DescribeTasks', { cluster: 'ghost', tasks: ['abc'] });
  t.equal(r.status, 400);
  t.same(r.body, { __type: 'ClusterNotFoundException', message: 'Cluster not found.' });
  await t.rejects(ecs.send(new DescribeTasksCommand({ cluster: 'ghost', tasks: ['abc'] })), {
    name: 'ClusterNotFoundException',
    message: 'Cluster not found.',
  });
  const defaulted = await rawCall(emu.url, 'RegisterContainerInstance', {});
  t.equal(defaulted.body['message'], 'Cluster not found.', 'the agent creates the default cluster on this message');
  t.same((await ecs.send(new ListClustersCommand({}))).clusterArns, [], 'no cluster appeared');
});

t.test('RunTask rejects a count above 10 and an unknown task definition', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await rawCall(emu.url, 'CreateCluster', {});
  await t.rejects(ecs.send(new RunTaskCommand({ taskDefinition: 'web', count: 11 })), { name: 'InvalidParameterException' });
  await t.rejects(ecs.send(new RunTaskCommand({ taskDefinition: 'web' })), {
    name: 'ClientException',
    message: 'Unable to describe task definition.',
  });
  await rawCall(emu.url, 'RegisterTaskDefinition', {
    family: 'web',
    containerDefinitions: [{ name: 'web', image: 'berth/busybox:latest', memory: 64 }],
  });
  await t.rejects(ecs.send(new RunTaskCommand({ taskDefinition: 'web' })), {
    name: 'InvalidParameterException',
    message: 'No Container Instances were found in your cluster.',
  }, 'an empty cluster is an error, as in ECS');
  const unknownTask = await rawCall(emu.url, 'SubmitTaskStateChange', { task: 'arn:aws:ecs:us-east-1:000000000000:task/default/0000', status: 'RUNNING' });
  t.equal(unknownTask.body['__type'], 'InvalidParameterException', 'a report for an unknown task is rejected as ECS does');
});

t.test('null members are members left out, as AWS treats them: never a 500', async (t) => {
  const { emu } = await startTestEmulator(t);
  await rawCall(emu.url, 'CreateCluster', { clusterName: 'nulls' });
  for (const op of ['ListClusters', 'ListTasks', 'ListServices', 'ListContainerInstances', 'ListTaskDefinitions', 'ListTaskDefinitionFamilies', 'ListAttributes']) {
    const body = op === 'ListAttributes' ? { cluster: 'nulls', targetType: 'container-instance', nextToken: null, maxResults: null } : { nextToken: null, maxResults: null, ...(op.startsWith('ListT') || op === 'ListServices' || op === 'ListContainerInstances' ? { cluster: 'nulls' } : {}) };
    const r = await rawCall(emu.url, op, op === 'ListTaskDefinitions' || op === 'ListTaskDefinitionFamilies' || op === 'ListClusters' ? { nextToken: null, maxResults: null } : body);
    t.equal(r.status, 200, `${op} with nextToken null`);
  }
  await rawCall(emu.url, 'RegisterTaskDefinition', { family: 'nulls', containerDefinitions: [{ name: 'a', image: 'busybox', memory: 16, command: null }] });
  const run = await rawCall(emu.url, 'RunTask', { cluster: 'nulls', taskDefinition: 'nulls', startedBy: null, overrides: null });
  t.equal(run.status, 400, 'RunTask with startedBy null is judged like any RunTask');
  t.equal(run.body['__type'], 'InvalidParameterException', 'no instances in the cluster: ECS\'s own answer, not a 500');
});
