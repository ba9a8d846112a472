/**
 * Fargate task definitions as ECS judges them, through the SDK: a Fargate definition registers with FARGATE in its
 * compatibilities, a broken one is a ClientException with ECS's reason, and RunTask / CreateService keep launch
 * types apart. Fargate capacity itself is not emulated yet: asking for it is refused by name, never quietly
 * placed on a container instance (the rules one by one: test/unit/emulator/ecs/api/fargate-rules.test.ts).
 */
import t from 'tap';
import { CreateServiceCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { startTestEmulator } from '../../kit/emulator.js';
import { clusterWithInstance } from '../../kit/emulator-fixtures.js';
import { FakeAgent } from '../../kit/fake-agent.js';

const ROLE = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole';
const CONTAINER = { name: 'web', image: 'berth/busybox:latest', essential: true, logConfiguration: { logDriver: 'awslogs' as const, options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' } } };

t.test('Fargate definitions register, broken ones do not, and launch types stay apart', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const { cluster, instanceArn } = await clusterWithInstance(ecs, { memory: 1024 });
  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  const registered = await ecs.send(new RegisterTaskDefinitionCommand({ family: 'fg', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512', executionRoleArn: ROLE, containerDefinitions: [CONTAINER] }));
  t.same(registered.taskDefinition?.compatibilities, ['EC2', 'FARGATE']);
  t.same(registered.taskDefinition?.requiresCompatibilities, ['FARGATE']);

  await t.rejects(ecs.send(new RegisterTaskDefinitionCommand({ family: 'fg-bad', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '8192', executionRoleArn: ROLE, containerDefinitions: [CONTAINER] })),
    { name: 'ClientException', message: /^No Fargate configuration exists for given values: 256 CPU, 8192 memory/ });
  await t.rejects(ecs.send(new RegisterTaskDefinitionCommand({ family: 'fg-bad', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512', containerDefinitions: [CONTAINER] })),
    { name: 'ClientException', message: 'Fargate requires task definition to have execution role ARN to support log driver awslogs.' });
  await t.rejects(ecs.send(new RegisterTaskDefinitionCommand({ family: 'fg-bad', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', executionRoleArn: ROLE, containerDefinitions: [CONTAINER] })),
    { name: 'ClientException', message: "Fargate only supports network mode 'awsvpc'." });

  await t.rejects(ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'fg' })), { name: 'InvalidParameterException', message: 'Task definition does not support launch_type EC2.' }, 'a FARGATE-only definition is no EC2 task');
  await t.rejects(ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'fg', launchType: 'FARGATE', capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] })),
    { name: 'InvalidParameterException', message: 'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.' });
  await t.rejects(ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'fg', launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } })),
    { name: 'InvalidParameterException', message: /^launchType FARGATE is not emulated by berth yet/ }, 'never placed on the container instance');
  await t.rejects(ecs.send(new CreateServiceCommand({ cluster, serviceName: 'fg-svc', taskDefinition: 'fg', desiredCount: 1, launchType: 'FARGATE' })),
    { name: 'InvalidParameterException', message: /^launchType FARGATE is not emulated by berth yet/ });

  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'bridge', containerDefinitions: [{ name: 'web', image: 'berth/busybox:latest', memory: 32 }] }));
  await t.rejects(ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'bridge', launchType: 'FARGATE' })), { name: 'InvalidParameterException', message: 'Task definition does not support launch_type FARGATE.' });
  t.equal((await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'bridge', launchType: 'EXTERNAL' }))).tasks?.length, 1, 'EXTERNAL runs on the instance');
});
