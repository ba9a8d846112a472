/**
 * RunTask's clientToken (the SDKs and the aws CLI fill one in): a retry with the same token gets the same tasks,
 * never new ones; another token starts new tasks. And members berth does not emulate are refused by name.
 */
import t from 'tap';
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { startTestEmulator } from '../../kit/emulator.js';
import { clusterWithInstance, webTaskDefinition } from '../../kit/emulator-fixtures.js';
import { FakeAgent } from '../../kit/fake-agent.js';

t.test('a RunTask retried with its clientToken starts nothing new', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const { cluster, instanceArn } = await clusterWithInstance(ecs, { memory: 2048 });
  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  const family = await webTaskDefinition(ecs, { hostPort: 0 });
  const first = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family, count: 2, clientToken: 'retry-1' }));
  const again = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family, count: 2, clientToken: 'retry-1' }));
  t.same(again.tasks?.map((x) => x.taskArn).sort(), first.tasks?.map((x) => x.taskArn).sort(), 'the same two tasks');
  const other = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family, clientToken: 'retry-2' }));
  t.notOk(first.tasks?.some((x) => x.taskArn === other.tasks?.[0]?.taskArn), 'a new token, a new task');
  await t.rejects(ecs.send(new RunTaskCommand({ cluster, taskDefinition: family, enableExecuteCommand: true })), { name: 'InvalidParameterException', message: /enableExecuteCommand is not emulated by berth/ });
  await t.rejects(ecs.send(new RunTaskCommand({ cluster, taskDefinition: family, platformVersion: 'LATEST' })), { name: 'InvalidParameterException', message: 'The platform version must be null when specifying an EC2 launch type.' });
  await t.rejects(ecs.send(new RunTaskCommand({ cluster, taskDefinition: family, volumeConfigurations: [{ name: 'v' }] })), { name: 'InvalidParameterException', message: 'volumeConfigurations of RunTask is not emulated by berth' });
});
