import t from 'tap';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterContainerInstanceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ListClustersCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  DescribeTasksCommand,
  RunTaskCommand,
  UpdateContainerInstancesStateCommand,
  UpdateClusterCommand,
  UpdateClusterSettingsCommand,
  type ListTaskDefinitionsCommandInput,
} from '@aws-sdk/client-ecs';
import { startTestEmulator } from '../../kit/emulator.js';
import { webTaskDefinition } from '../../kit/emulator-fixtures.js';
import { connectedInstance, report, settle } from '../../kit/emulator-services.js';

t.test('task definitions are listed by status, prefix and order, deregistered and deleted', async (t) => {
  const { ecs } = await startTestEmulator(t);
  await webTaskDefinition(ecs, { family: 'web' });
  await webTaskDefinition(ecs, { family: 'web' });
  await webTaskDefinition(ecs, { family: 'worker' });
  await webTaskDefinition(ecs, { family: 'db' });
  const arn = (f: string) => `arn:aws:ecs:us-east-1:000000000000:task-definition/${f}`;
  const list = async (input: ListTaskDefinitionsCommandInput) =>
    (await ecs.send(new ListTaskDefinitionsCommand(input))).taskDefinitionArns;
  t.same(await list({}), [arn('db:1'), arn('web:1'), arn('web:2'), arn('worker:1')]);
  t.same(await list({ familyPrefix: 'w', sort: 'DESC' }), [arn('worker:1'), arn('web:2'), arn('web:1')]);
  const dereg = await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:1' }));
  t.equal(dereg.taskDefinition?.status, 'INACTIVE');
  t.ok(dereg.taskDefinition?.deregisteredAt instanceof Date);
  t.same(await list({ status: 'INACTIVE' }), [arn('web:1')]);
  await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn('db:1') }));
  const families = async (status?: 'ACTIVE' | 'INACTIVE' | 'ALL') => (await ecs.send(new ListTaskDefinitionFamiliesCommand({ status }))).families;
  t.same(await families(), ['web', 'worker'], 'web still has an ACTIVE revision');
  t.same(await families('INACTIVE'), ['db']);
  t.same(await families('ALL'), ['db', 'web', 'worker']);
  const page = await ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'ALL', maxResults: 2 }));
  t.same(page.families, ['db', 'web']);
  t.same((await ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'ALL', nextToken: page.nextToken }))).families, ['worker']);
  const deleted = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['db:1', 'web:2'] }));
  t.same(deleted.taskDefinitions?.map((x) => [x.family, x.status]), [['db', 'DELETE_IN_PROGRESS']]);
  t.match(deleted.failures, [{ arn: arn('web:2'), reason: /still in ACTIVE status/ }]);
  t.equal((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'db:1' }))).taskDefinition?.status, 'DELETE_IN_PROGRESS');
  await t.rejects(ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web' })), { name: 'InvalidParameterException', message: /revision/ });
  await t.rejects(ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'nope:1' })), { name: 'ClientException' });
  await t.rejects(ecs.send(new ListTaskDefinitionsCommand({ status: 'GONE' as never })), { name: 'InvalidParameterException' });
  await t.rejects(ecs.send(new ListTaskDefinitionFamiliesCommand({ maxResults: 0 })), { name: 'InvalidParameterException' });
  await t.rejects(ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ['web'] })), { name: 'InvalidParameterException' });
});

t.test('an INACTIVE task definition cannot start new tasks', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'svc-inactive' }));
  await connectedInstance(t, emu.url, ecs, 'svc-inactive');
  await webTaskDefinition(ecs);
  await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:1' }));
  await t.rejects(ecs.send(new RunTaskCommand({ cluster: 'svc-inactive', taskDefinition: 'web:1' })), { name: 'ClientException', message: 'TaskDefinition is inactive' });
});

t.test('DeleteCluster follows ECS rules and cluster counts are true', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'svc-del' }));
  const inst = await connectedInstance(t, emu.url, ecs, 'svc-del');
  await webTaskDefinition(ecs);
  await ecs.send(new CreateServiceCommand({ cluster: 'svc-del', serviceName: 'api', taskDefinition: 'web', desiredCount: 2 }));
  await settle(emu.url, ecs, 'svc-del', 'api', (s) => s.runningCount === 2);
  const run = await ecs.send(new RunTaskCommand({ cluster: 'svc-del', taskDefinition: 'web' }));
  const counts = (await ecs.send(new DescribeClustersCommand({ clusters: ['svc-del'] }))).clusters![0]!;
  t.match(counts, { registeredContainerInstancesCount: 1, runningTasksCount: 2, pendingTasksCount: 1, activeServicesCount: 1 });

  await t.rejects(ecs.send(new DeleteClusterCommand({ cluster: 'svc-del' })), { name: 'ClusterContainsContainerInstancesException' });
  await ecs.send(new DeleteServiceCommand({ cluster: 'svc-del', service: 'api', force: true }));
  await t.rejects(ecs.send(new DeleteClusterCommand({ cluster: 'svc-del' })), { name: 'ClusterContainsContainerInstancesException' });
  await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'svc-del', containerInstances: [inst.arn], status: 'DRAINING' }));
  await settle(emu.url, ecs, 'svc-del', 'api', (s) => s.status === 'INACTIVE');
  const taskArn = run.tasks![0]!.taskArn!;
  await report(emu.url, 'svc-del', [taskArn], 'RUNNING');
  await ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'svc-del', containerInstance: inst.arn, force: true }));
  const orphan = (await ecs.send(new DescribeTasksCommand({ cluster: 'svc-del', tasks: [taskArn] }))).tasks![0]!;
  t.match(orphan, { lastStatus: 'STOPPED', stoppedReason: /no longer tracked/ }, 'a forced deregistration orphans the task');
  const deleted = await ecs.send(new DeleteClusterCommand({ cluster: 'svc-del' }));
  t.equal(deleted.cluster?.status, 'INACTIVE');
  t.notOk((await ecs.send(new ListClustersCommand({}))).clusterArns?.some((a) => a.endsWith('/svc-del')));
  t.equal((await ecs.send(new DescribeClustersCommand({ clusters: ['svc-del'] }))).clusters?.[0]?.status, 'INACTIVE');
  await t.rejects(ecs.send(new RunTaskCommand({ cluster: 'svc-del', taskDefinition: 'web' })), { name: 'ClusterNotFoundException' });
  await t.rejects(ecs.send(new DeleteClusterCommand({ cluster: 'svc-del' })), { name: 'ClusterNotFoundException' });
  const again = await ecs.send(new CreateClusterCommand({ clusterName: 'svc-del' }));
  t.equal(again.cluster?.status, 'ACTIVE', 'the name can be used again');
  await ecs.send(new CreateServiceCommand({ cluster: 'svc-del', serviceName: 'idle', taskDefinition: 'web', desiredCount: 0 }));
  await t.rejects(ecs.send(new DeleteClusterCommand({ cluster: 'svc-del' })), { name: 'ClusterContainsServicesException' });
});

t.test('cluster settings can be updated; unknown settings are rejected', async (t) => {
  const { ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'svc-settings' }));
  const s = await ecs.send(new UpdateClusterSettingsCommand({ cluster: 'svc-settings', settings: [{ name: 'containerInsights', value: 'enabled' }] }));
  t.same(s.cluster?.settings, [{ name: 'containerInsights', value: 'enabled' }]);
  const u = await ecs.send(
    new UpdateClusterCommand({ cluster: 'svc-settings', settings: [{ name: 'containerInsights', value: 'disabled' }], configuration: { executeCommandConfiguration: { logging: 'DEFAULT' } } }),
  );
  t.same(u.cluster?.settings, [{ name: 'containerInsights', value: 'disabled' }]);
  t.same(u.cluster?.configuration, { executeCommandConfiguration: { logging: 'DEFAULT' } });
  await t.rejects(ecs.send(new UpdateClusterSettingsCommand({ cluster: 'svc-settings', settings: [{ name: 'nope' as never, value: 'x' }] })), { name: 'InvalidParameterException' });
  await t.rejects(ecs.send(new UpdateClusterCommand({ cluster: 'svc-settings', settings: [{ name: 'containerInsights', value: 'maybe' }] })), { name: 'InvalidParameterException' });
  await t.rejects(ecs.send(new UpdateClusterCommand({ cluster: 'nope' })), { name: 'ClusterNotFoundException' });
  await t.rejects(ecs.send(new ListClustersCommand({ maxResults: 1000 })), { name: 'InvalidParameterException' });
});
