import t from 'tap';
import {
  CreateClusterCommand,
  DeleteAttributesCommand,
  DeregisterContainerInstanceCommand,
  DescribeContainerInstancesCommand,
  ListAttributesCommand,
  ListContainerInstancesCommand,
  ListTagsForResourceCommand,
  PutAttributesCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateContainerInstancesStateCommand,
  type ECSClient,
  type Resource,
} from '@aws-sdk/client-ecs';
import { startTestEmulator } from '../../kit/emulator.js';
import { webTaskDefinition } from '../../kit/emulator-fixtures.js';
import { connectedInstance, report } from '../../kit/emulator-services.js';

const remaining = async (ecs: ECSClient, cluster: string, arn: string): Promise<Record<string, Resource>> => {
  const d = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }));
  return Object.fromEntries((d.containerInstances?.[0]?.remainingResources ?? []).map((r) => [r.name!, r]));
};

t.test('remaining resources follow tasks exactly as they start and stop, and agentConnected is reported', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'svc-res' }));
  const { arn, agent } = await connectedInstance(t, emu.url, ecs, 'svc-res');
  await webTaskDefinition(ecs, { family: 'static', memory: 100, hostPort: 8080 });
  const d0 = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'svc-res', containerInstances: [arn] }));
  t.equal(d0.containerInstances?.[0]?.agentConnected, true);
  const run = await ecs.send(new RunTaskCommand({ cluster: 'svc-res', taskDefinition: 'static', overrides: { memory: '300' } }));
  let r = await remaining(ecs, 'svc-res', arn);
  t.equal(r['MEMORY']?.integerValue, 1024 - 300, 'the task memory override is what is reserved');
  t.ok(r['PORTS']?.stringSetValue?.includes('8080'), 'the static host port is taken');
  const taskArn = run.tasks![0]!.taskArn!;
  await report(emu.url, 'svc-res', [taskArn], 'RUNNING');
  await ecs.send(new StopTaskCommand({ cluster: 'svc-res', task: taskArn }));
  r = await remaining(ecs, 'svc-res', arn);
  t.equal(r['MEMORY']?.integerValue, 724, 'still held while the agent stops it');
  await report(emu.url, 'svc-res', [taskArn], 'STOPPED');
  r = await remaining(ecs, 'svc-res', arn);
  t.equal(r['MEMORY']?.integerValue, 1024, 'all memory back once STOPPED');
  t.notOk(r['PORTS']?.stringSetValue?.includes('8080'));
  await agent.close();
  const d1 = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'svc-res', containerInstances: [arn] }));
  t.equal(d1.containerInstances?.[0]?.agentConnected, false, 'agentConnected turns false when the agent goes');
});

t.test('a DRAINING instance takes no new tasks; ACTIVE again takes them', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'svc-drain-api' }));
  const { arn } = await connectedInstance(t, emu.url, ecs, 'svc-drain-api');
  await webTaskDefinition(ecs);
  const drained = await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'svc-drain-api', containerInstances: [arn, 'nope'], status: 'DRAINING' }));
  t.equal(drained.containerInstances?.[0]?.status, 'DRAINING');
  t.same(drained.failures, [{ arn: 'nope', reason: 'MISSING' }]);
  await t.rejects(ecs.send(new RunTaskCommand({ cluster: 'svc-drain-api', taskDefinition: 'web' })), {
    name: 'InvalidParameterException',
    message: 'No Container Instances were found in your cluster.',
  });
  const listed = await ecs.send(new ListContainerInstancesCommand({ cluster: 'svc-drain-api', status: 'DRAINING' }));
  t.same(listed.containerInstanceArns, [arn]);
  await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'svc-drain-api', containerInstances: [arn], status: 'ACTIVE' }));
  const run = await ecs.send(new RunTaskCommand({ cluster: 'svc-drain-api', taskDefinition: 'web' }));
  t.equal(run.tasks?.length, 1);
  await t.rejects(
    ecs.send(new UpdateContainerInstancesStateCommand({ cluster: 'svc-drain-api', containerInstances: [arn], status: 'REGISTERING' })),
    { name: 'InvalidParameterException', message: /only be changed to ACTIVE or DRAINING/ },
  );
});

t.test('DeregisterContainerInstance refuses an instance with tasks unless forced', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'svc-dereg' }));
  const { arn } = await connectedInstance(t, emu.url, ecs, 'svc-dereg');
  const idle = await connectedInstance(t, emu.url, ecs, 'svc-dereg');
  await webTaskDefinition(ecs);
  await ecs.send(new RunTaskCommand({ cluster: 'svc-dereg', taskDefinition: 'web', count: 2, placementConstraints: [{ type: 'memberOf', expression: `ec2InstanceId != nothing` }] }));
  const withTasks = (await ecs.send(new ListContainerInstancesCommand({ cluster: 'svc-dereg', filter: 'runningTasksCount >= 0 and task:group exists' }))).containerInstanceArns ?? [];
  t.ok(withTasks.length >= 1, 'the query language filters ListContainerInstances');
  const busy = withTasks[0]!;
  await t.rejects(ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'svc-dereg', containerInstance: busy })), {
    name: 'InvalidParameterException',
    message: /running tasks/,
  });
  const forced = await ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'svc-dereg', containerInstance: busy, force: true }));
  t.equal(forced.containerInstance?.status, 'INACTIVE');
  const other = busy === arn ? idle.arn : arn;
  const left = (await ecs.send(new ListContainerInstancesCommand({ cluster: 'svc-dereg' }))).containerInstanceArns;
  t.same(left, [other], 'the deregistered instance is no longer listed');
  await t.rejects(ecs.send(new DeregisterContainerInstanceCommand({ cluster: 'svc-dereg', containerInstance: 'nope' })), { name: 'InvalidParameterException' });
});

t.test('custom attributes can be put, listed, used for placement and deleted', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'svc-attr' }));
  const a = await connectedInstance(t, emu.url, ecs, 'svc-attr');
  const b = await connectedInstance(t, emu.url, ecs, 'svc-attr');
  await webTaskDefinition(ecs);
  const put = await ecs.send(new PutAttributesCommand({ cluster: 'svc-attr', attributes: [{ name: 'stack', value: 'prod', targetId: b.arn }] }));
  t.same(put.attributes, [{ name: 'stack', value: 'prod', targetType: 'container-instance', targetId: b.arn }]);
  const listed = await ecs.send(new ListAttributesCommand({ cluster: 'svc-attr', targetType: 'container-instance', attributeName: 'stack' }));
  t.same(listed.attributes?.map((x) => x.targetId), [b.arn]);
  const run = await ecs.send(
    new RunTaskCommand({ cluster: 'svc-attr', taskDefinition: 'web', count: 3, placementConstraints: [{ type: 'memberOf', expression: 'attribute:stack == prod' }] }),
  );
  t.ok(run.tasks?.every((x) => x.containerInstanceArn === b.arn), 'memberOf sees the custom attribute');
  await ecs.send(new DeleteAttributesCommand({ cluster: 'svc-attr', attributes: [{ name: 'stack', targetId: b.arn }] }));
  const after = await ecs.send(new ListAttributesCommand({ cluster: 'svc-attr', targetType: 'container-instance', attributeName: 'stack' }));
  t.same(after.attributes, []);
  const rejected: [Promise<unknown>, string][] = [
    [ecs.send(new PutAttributesCommand({ cluster: 'svc-attr', attributes: [{ name: 'stack', value: 'x', targetId: 'nope' }] })), 'TargetNotFoundException'],
    [ecs.send(new PutAttributesCommand({ cluster: 'svc-attr', attributes: [{ name: 'bad name!', value: 'x', targetId: a.arn }] })), 'InvalidParameterException'],
    [ecs.send(new PutAttributesCommand({ cluster: 'svc-attr', attributes: Array.from({ length: 11 }, (_, i) => ({ name: `n${i}`, targetId: a.arn })) })), 'AttributeLimitExceededException'],
    [ecs.send(new DeleteAttributesCommand({ cluster: 'svc-attr', attributes: [{ name: 'stack', targetId: 'nope' }] })), 'TargetNotFoundException'],
    [ecs.send(new ListAttributesCommand({ cluster: 'svc-attr', targetType: 'task' as never })), 'InvalidParameterException'],
  ];
  for (const [p, name] of rejected) await t.rejects(p, { name });
});

t.test('tags on clusters, task definitions, tasks, services and container instances', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  await ecs.send(new CreateClusterCommand({ clusterName: 'svc-tags' }));
  const inst = await connectedInstance(t, emu.url, ecs, 'svc-tags');
  const td = await webTaskDefinition(ecs);
  const run = await ecs.send(new RunTaskCommand({ cluster: 'svc-tags', taskDefinition: 'web' }));
  const { CreateServiceCommand } = await import('@aws-sdk/client-ecs');
  const svc = await ecs.send(new CreateServiceCommand({ cluster: 'svc-tags', serviceName: 's', taskDefinition: 'web', desiredCount: 0 }));
  const arns = [
    'arn:aws:ecs:us-east-1:000000000000:cluster/svc-tags',
    td,
    run.tasks![0]!.taskArn!,
    svc.service!.serviceArn!,
    inst.arn,
  ];
  for (const resourceArn of arns) {
    await ecs.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] }));
    await ecs.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'a', value: '3' }] }));
    await ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: ['b'] }));
    const listed = await ecs.send(new ListTagsForResourceCommand({ resourceArn }));
    t.same(listed.tags, [{ key: 'a', value: '3' }], `tagged, retagged and untagged: ${resourceArn.split(':')[5]}`);
  }
  const rejected: [Promise<unknown>, string][] = [
    [ecs.send(new TagResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:000000000000:task/svc-tags/0000', tags: [{ key: 'a', value: '1' }] })), 'ResourceNotFoundException'],
    [ecs.send(new TagResourceCommand({ resourceArn: arns[0], tags: [{ key: 'aws:x', value: '1' }] })), 'InvalidParameterException'],
    [ecs.send(new TagResourceCommand({ resourceArn: arns[0], tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: '' })) })), 'InvalidParameterException'],
    [ecs.send(new UntagResourceCommand({ resourceArn: 'not-an-arn', tagKeys: ['a'] })), 'InvalidParameterException'],
    [ecs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:000000000000:service/svc-tags/nope' })), 'ResourceNotFoundException'],
  ];
  for (const [p, name] of rejected) await t.rejects(p, { name });
});
