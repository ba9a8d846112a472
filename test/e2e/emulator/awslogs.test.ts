/**
 * awslogs on the control-plane side: a task definition with awslogs requires the logging-driver capability (and
 * execution-role-awslogs with an execution role), placement refuses instances without it with ECS's reason, and
 * the ACS payload carries the log options as ECS sends them: the stream prefix turned into awslogs-stream,
 * logsAuthStrategy ExecutionRole, every other option as written.
 */
import t from 'tap';
import { CreateClusterCommand, RegisterContainerInstanceCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { startTestEmulator, totalResources } from '../../kit/emulator.js';
import { FakeAgent } from '../../kit/fake-agent.js';
import { clusterWithInstance } from '../../kit/emulator-fixtures.js';

const EXEC_ROLE = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole';
const AWSLOGS = { logDriver: 'awslogs' as const, options: { 'awslogs-group': '/ecs/web', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true', mode: 'non-blocking', 'max-buffer-size': '4m' } };

t.test('awslogs task definitions require the capability, and placement enforces it', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'plain' }));
  // An instance whose agent did not register awslogs (json-file only).
  const reg = await ecs.send(new RegisterContainerInstanceCommand({
    cluster: 'plain',
    totalResources: totalResources(),
    attributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.json-file' }, { name: 'ecs.os-type', value: 'linux' }],
  }));
  const agent = await FakeAgent.connect(emu.url, 'plain', reg.containerInstance!.containerInstanceArn!);
  t.teardown(() => agent.close());
  const registered = await ecs.send(new RegisterTaskDefinitionCommand({ family: 'logs-web', executionRoleArn: EXEC_ROLE, containerDefinitions: [{ name: 'web', image: 'busybox', memory: 32, logConfiguration: AWSLOGS }] }));
  t.same(registered.taskDefinition?.requiresAttributes?.map((a) => a.name), ['com.amazonaws.ecs.capability.logging-driver.awslogs', 'ecs.capability.execution-role-awslogs']);
  const run = await ecs.send(new RunTaskCommand({ cluster: 'plain', taskDefinition: 'logs-web' }));
  t.same(run.tasks, [], 'not placed');
  t.same(run.failures, [{ arn: reg.containerInstance?.containerInstanceArn, reason: 'ATTRIBUTE' }], "ECS's reason: the instance lacks an attribute the task needs");

  const plain = await ecs.send(new RegisterTaskDefinitionCommand({ family: 'logs-json', containerDefinitions: [{ name: 'web', image: 'busybox', memory: 32, logConfiguration: { logDriver: 'json-file' } }] }));
  t.same(plain.taskDefinition?.requiresAttributes?.map((a) => a.name), ['com.amazonaws.ecs.capability.logging-driver.json-file']);
  t.equal((await ecs.send(new RunTaskCommand({ cluster: 'plain', taskDefinition: 'logs-json' }))).tasks?.length, 1, 'a json-file task is placed there');
});

t.test('the payload carries awslogs as ECS sends it: awslogs-stream from the prefix, the execution role strategy', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const { cluster, instanceArn } = await clusterWithInstance(ecs, { memory: 512 });
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'logs-payload',
    executionRoleArn: EXEC_ROLE,
    containerDefinitions: [
      { name: 'web', image: 'busybox', memory: 32, logConfiguration: AWSLOGS },
      { name: 'side', image: 'busybox', memory: 32, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/side', 'awslogs-region': 'eu-west-1', 'awslogs-stream': 'fixed' } } },
      { name: 'plain', image: 'busybox', memory: 32 },
    ],
  }));
  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'logs-payload' }));
  const taskId = run.tasks![0]!.taskArn!.split('/').pop()!;
  const task = (await agent.nextPayload()).tasks![0]!;
  const logConfig = (name: string): unknown => {
    const c = task.containers!.find((x) => x.name === name)!;
    return c.dockerConfig ? (JSON.parse(c.dockerConfig.hostConfig ?? '{}') as { LogConfig?: unknown }).LogConfig : undefined;
  };
  t.same(logConfig('web'), {
    Type: 'awslogs',
    Config: { 'awslogs-group': '/ecs/web', 'awslogs-create-group': 'true', mode: 'non-blocking', 'max-buffer-size': '4m', 'awslogs-stream': `ecs/web/${taskId}`, 'awslogs-region': 'us-east-1' },
  }, 'the prefix becomes <prefix>/<container>/<task id>; the region the task runs in fills a missing awslogs-region');
  t.same(logConfig('side'), { Type: 'awslogs', Config: { 'awslogs-group': '/ecs/side', 'awslogs-region': 'eu-west-1', 'awslogs-stream': 'fixed' } }, 'options without a prefix go as written');
  t.equal(logConfig('plain'), undefined);
  t.same(task.containers!.map((c) => [c.name, c.logsAuthStrategy ?? null]), [['web', 'ExecutionRole'], ['side', 'ExecutionRole'], ['plain', null]]);
  t.ok(task.executionRoleCredentials?.credentialsId, 'with the execution role credentials the strategy needs');
});

t.test('log driver secrets (secretOptions) need an execution role and go to the agent with target LOG_DRIVER', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const { cluster, instanceArn } = await clusterWithInstance(ecs, { memory: 512 });
  const splunk = { logDriver: 'splunk' as const, options: { 'splunk-url': 'https://splunk.example' }, secretOptions: [{ name: 'splunk-token', valueFrom: 'arn:aws:ssm:eu-west-1:000000000000:parameter/logging/token' }] };
  await t.rejects(ecs.send(new RegisterTaskDefinitionCommand({ family: 'logs-secret', containerDefinitions: [{ name: 'web', image: 'busybox', memory: 32, logConfiguration: splunk }] })), { name: 'ClientException', message: /executionRoleArn/ });
  const registered = await ecs.send(new RegisterTaskDefinitionCommand({ family: 'logs-secret', executionRoleArn: EXEC_ROLE, containerDefinitions: [{ name: 'web', image: 'busybox', memory: 32, logConfiguration: splunk }] }));
  t.same(registered.taskDefinition?.requiresAttributes?.map((a) => a.name), ['com.amazonaws.ecs.capability.logging-driver.splunk', 'ecs.capability.secrets.ssm.bootstrap.log-driver']);
  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  // The fake agent registered neither splunk nor the bootstrap capability: the task is not placed.
  t.same((await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'logs-secret' }))).failures?.map((f) => f.reason), ['ATTRIBUTE']);
  const noRole = await ecs.send(new RegisterTaskDefinitionCommand({ family: 'logs-no-role', containerDefinitions: [{ name: 'web', image: 'busybox', memory: 32, logConfiguration: AWSLOGS }] }));
  t.same(noRole.taskDefinition?.requiresAttributes?.map((a) => a.name), ['com.amazonaws.ecs.capability.logging-driver.awslogs'], 'no execution role: the driver signs as dockerd, no execution-role-awslogs');
  await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'logs-no-role' }));
  const task = (await agent.nextPayload()).tasks![0]!;
  t.equal(task.containers![0]!.logsAuthStrategy, undefined, 'and no logsAuthStrategy');
});

