/**
 * Acceptance through the real emulator and a real agent: a three-container task (a dependency chain, a
 * non-essential container that exits early, an essential one that exits 3) shows in DescribeTasks exactly what
 * ECS shows.
 */
import t from 'tap';
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { startStack, waitFor } from '../../../kit/harness.js';
import { at, inspect } from '../../../kit/engine-harness.js';

const IMAGE = 'berth/busybox:latest';

t.test('emulator + agent', async (t) => {
  const { cluster, ecs } = await startStack(t, {
    name: 'engine-accept',
    portRange: '50300-50399',
    extra: { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1h', BERTH_IMAGE_PULL_BACKOFF: '10ms,20ms', BERTH_INTROSPECTION_PORT: '0', BERTH_METADATA_PORT: '0' },
  });
  const describe = async (arn: string): Promise<Task> => (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;
  const until = (arn: string, status: string, timeoutMs = 30_000) =>
    waitFor(`${arn} ${status}`, async () => {
      const task = await describe(arn);
      return task.lastStatus === status ? task : undefined;
    }, timeoutMs);

  await t.test('a three-container task reports exactly what ECS shows', async (t) => {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'engine-three',
      containerDefinitions: [
        { name: 'db', image: IMAGE, essential: true, memory: 32, command: ['sh', '-c', 'trap "exit 0" TERM; sleep 60 & wait'] },
        { name: 'setup', image: IMAGE, essential: false, memory: 32, command: ['sh', '-c', 'exit 1'], dependsOn: [{ containerName: 'db', condition: 'START' }] },
        { name: 'app', image: IMAGE, essential: true, memory: 32, command: ['sh', '-c', 'sleep 1; exit 3'], dependsOn: [{ containerName: 'setup', condition: 'COMPLETE' }] },
      ],
    }));
    const before = Date.now();
    const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'engine-three' }));
    const arn = run.tasks![0]!.taskArn!;
    const task = await until(arn, 'STOPPED');
    const byName = Object.fromEntries((task.containers ?? []).map((c) => [c.name, c]));
    t.match(byName, {
      db: { lastStatus: 'STOPPED', exitCode: 0 },
      setup: { lastStatus: 'STOPPED', exitCode: 1 },
      app: { lastStatus: 'STOPPED', exitCode: 3 },
    });
    for (const c of task.containers ?? []) {
      t.equal(c.reason, undefined, `${c.name}: a normal exit carries no reason`);
      t.match(c.runtimeId, /^[0-9a-f]{64}$/, `${c.name}: runtimeId is the Docker ID`);
    }
    t.equal(task.stopCode, 'EssentialContainerExited');
    t.equal(task.stoppedReason, 'Essential container in task exited');
    t.equal(task.desiredStatus, 'STOPPED');
    const ms = (d: Date | undefined) => d?.getTime() ?? NaN;
    t.ok(ms(task.pullStartedAt) >= before - 1000 && ms(task.pullStartedAt) <= ms(task.pullStoppedAt), 'pullStartedAt <= pullStoppedAt');
    t.ok(ms(task.pullStoppedAt) <= ms(task.startedAt), 'pulls end before the task started');
    // executionStoppedAt is when the essential app exited; the task is STOPPED only once db was stopped after it.
    const appExit = at(inspect(arn, 'app').State.FinishedAt);
    t.ok(Math.abs(ms(task.executionStoppedAt) - appExit) < 1500, 'executionStoppedAt is the essential exit');
    t.ok(ms(task.executionStoppedAt) <= ms(task.stoppedAt), 'executionStoppedAt <= stoppedAt');
    t.ok(at(inspect(arn, 'db').State.FinishedAt) >= appExit, 'db was stopped after app exited');
    t.ok(at(inspect(arn, 'app').State.StartedAt) >= at(inspect(arn, 'setup').State.FinishedAt), 'app waited for setup to complete');
  });
});
