/**
 * taskWithTags end to end: a real agent asks the emulator (ListTagsForResource, instance credentials) for the
 * task's tags (RunTask tags + the task definition's, propagated) and the container instance's tags
 * (ECS_CONTAINER_INSTANCE_TAGS, sent at registration); a container reads them through its own URIs.
 */
import t from 'tap';
import { DeregisterContainerInstanceCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { containersOfTask, startStack, waitFor } from '../kit/harness.js';
import { IDLE_CONTAINER, fetchJsonInContainer } from '../kit/metadata.js';

type Json = Record<string, unknown>;

t.test('a container reads its task and container instance tags, and a failed lookup becomes an Errors[] entry', async (t) => {
  const { ecs, cluster, agent } = await startStack(t, {
    name: 'tags',
    portRange: '57200-57299',
    extra: { ECS_CONTAINER_INSTANCE_TAGS: '{"rack":"r7","team":"berth"}' },
  });
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'tags-td', containerDefinitions: [IDLE_CONTAINER], tags: [{ key: 'owner', value: 'td' }, { key: 'run', value: 'from-td' }] }));
  const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'tags-td', tags: [{ key: 'run', value: 'r1' }], propagateTags: 'TASK_DEFINITION' }));
  const taskArn = run.tasks![0]!.taskArn!;
  const instanceArn = agent.containerInstanceArn;
  await waitFor('task RUNNING', async () => ((await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0]?.lastStatus === 'RUNNING' ? true : undefined), 20_000);
  const [dockerId] = containersOfTask(taskArn);

  const v4 = (await fetchJsonInContainer(dockerId!, '$ECS_CONTAINER_METADATA_URI_V4/taskWithTags')) as Json;
  t.match(v4, { TaskARN: taskArn, KnownStatus: 'RUNNING' });
  t.same(v4['TaskTags'], { owner: 'td', run: 'r1' }, 'RunTask tags over the propagated task definition tags');
  t.same(v4['ContainerInstanceTags'], { rack: 'r7', team: 'berth' }, 'the tags the agent registered with');
  t.notOk('Errors' in v4, 'no Errors when both lookups work');
  const described = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn], include: ['TAGS'] }))).tasks![0]!;
  t.same(Object.fromEntries(described.tags!.map((x) => [x.key, x.value])), v4['TaskTags'], 'DescribeTasks agrees');
  t.match(await fetchJsonInContainer(dockerId!, '$ECS_CONTAINER_METADATA_URI/taskWithTags'), { TaskTags: { run: 'r1' }, ContainerInstanceTags: { rack: 'r7' } }, 'v3 too');
  const plain = (await fetchJsonInContainer(dockerId!, '$ECS_CONTAINER_METADATA_URI_V4/task')) as Json;
  t.notOk('TaskTags' in plain, '/task has no tags');

  // ECS no longer knows the instance (deregistered): its lookup fails, the rest of the answer is still served.
  await ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance: instanceArn, force: true }));
  const after = (await fetchJsonInContainer(dockerId!, '$ECS_CONTAINER_METADATA_URI_V4/taskWithTags')) as Json;
  t.match(after, { TaskARN: taskArn, TaskTags: { owner: 'td', run: 'r1' } });
  t.notOk('ContainerInstanceTags' in after);
  t.match(after['Errors'], [{ ErrorField: 'ContainerInstanceTags', ErrorCode: 'ResourceNotFoundException', ErrorMessage: /could not be found/, StatusCode: 400, ResourceARN: instanceArn }]);
  t.equal((after['Errors'] as unknown[]).length, 1);
  const v3 = (await fetchJsonInContainer(dockerId!, '$ECS_CONTAINER_METADATA_URI/taskWithTags')) as Json;
  t.ok(!('Errors' in v3) && !('ContainerInstanceTags' in v3) && 'TaskTags' in v3, 'v3 just leaves the member out');
});
