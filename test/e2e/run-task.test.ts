import t from 'tap';
import {
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { containersOfTask, httpGet, startStack, waitFor, WEB_CONTAINER } from '../kit/harness.js';

t.test('a task runs through emulator, agent and Docker, and stops and is cleaned up', async (t) => {
  const { cluster, ecs } = await startStack(t, { name: 'e2e-run', portRange: '40600-40999' });

  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({ family: 'e2e-web', containerDefinitions: [WEB_CONTAINER] }),
  );
  t.equal(td.taskDefinition?.revision, 1);

  const startedAt = Date.now();
  const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'e2e-web' }));
  t.same(run.failures, []);
  const taskArn = run.tasks?.[0]?.taskArn;
  if (!taskArn) throw new Error('RunTask returned no task');

  const describe = async (): Promise<Task | undefined> =>
    (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0];

  const running = await waitFor('task RUNNING', async () => {
    const task = await describe();
    return task?.lastStatus === 'RUNNING' ? task : undefined;
  }, 10_000);
  t.ok(Date.now() - startedAt < 10_000, 'RUNNING within 10 s');
  const binding = running.containers?.[0]?.networkBindings?.[0];
  t.equal(binding?.containerPort, 8080);
  t.ok(binding?.hostPort && binding.hostPort >= 40600 && binding.hostPort <= 40999, 'host port from the dynamic range');
  t.match(running.containers?.[0]?.runtimeId, /^[0-9a-f]{64}$/);
  t.equal(await httpGet(binding!.hostPort!), 'hello from berth\n', 'the container answers on its host port');
  t.equal(containersOfTask(taskArn).length, 1, 'exactly one container for the task');

  await ecs.send(new StopTaskCommand({ cluster, task: taskArn }));
  const stopped = await waitFor('task STOPPED', async () => {
    const task = await describe();
    return task?.lastStatus === 'STOPPED' ? task : undefined;
  });
  t.equal(stopped.desiredStatus, 'STOPPED');
  t.equal(stopped.stoppedReason, 'Task stopped by user');
  t.equal(stopped.stopCode, 'UserInitiated');
  t.equal(stopped.containers?.[0]?.exitCode, 0, 'exit code reported (SIGTERM trapped, exit 0)');

  await waitFor('container removed after the cleanup wait', async () =>
    containersOfTask(taskArn).length === 0 ? true : undefined,
  );
  t.pass('container gone from Docker');
});
