import t from 'tap';
import { applyTaskChange, ESSENTIAL_EXITED } from '../../../../../src/emulator/ecs/tasks/state-change.js';
import type { TaskRecord } from '../../../../../src/emulator/ecs/records.js';

const task = (over: Partial<TaskRecord> = {}): TaskRecord => ({
  arn: 'arn:aws:ecs:us-east-1:000000000000:task/c/1',
  cluster: 'c',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/f:1',
  containerInstanceArn: 'arn:aws:ecs:us-east-1:000000000000:container-instance/c/1',
  lastStatus: 'PENDING',
  desiredStatus: 'RUNNING',
  containers: [
    { containerArn: 'a', name: 'app', image: 'x', lastStatus: 'PENDING', essential: true },
    { containerArn: 'b', name: 'side', image: 'x', lastStatus: 'PENDING', essential: false },
  ],
  containerOverrides: [],
  reserved: { cpu: 0, memory: 0, tcpPorts: [], udpPorts: [] },
  version: 1,
  createdAt: 0,
  ...over,
});

t.test('statuses never move backwards for the task or its containers', async (t) => {
  const running = applyTaskChange(task(), { status: 'RUNNING', containers: [{ containerName: 'app', status: 'RUNNING' }] }, 1000);
  const stale = applyTaskChange(running, { status: 'PENDING', containers: [{ containerName: 'app', status: 'PENDING' }] }, 2000);
  t.equal(stale.lastStatus, 'RUNNING');
  t.equal(stale.containers[0]?.lastStatus, 'RUNNING');
  t.equal(stale.startedAt, 1000, 'startedAt is set once');
  t.ok(stale.version > running.version, 'every report bumps the version');
});

t.test('a PENDING report with container data updates the containers', async (t) => {
  const out = applyTaskChange(task(), { status: 'PENDING', containers: [{ containerName: 'side', status: 'RUNNING', runtimeId: 'r1' }] }, 1);
  t.equal(out.lastStatus, 'PENDING');
  t.equal(out.containers[1]?.runtimeId, 'r1');
});

t.test('an attachments-only report changes no status', async (t) => {
  const before = task();
  const out = applyTaskChange(before, {}, 1);
  t.equal(out.lastStatus, 'PENDING');
  t.same(out.containers, before.containers);
});

t.test('the stop reason depends on whether containers ran and which one exited', async (t) => {
  const ran = applyTaskChange(task(), { status: 'RUNNING' }, 1);
  const exited = applyTaskChange(ran, { status: 'STOPPED', containers: [{ containerName: 'app', status: 'STOPPED', exitCode: 2 }] }, 2);
  t.match(exited, { stopCode: 'EssentialContainerExited', stoppedReason: ESSENTIAL_EXITED, desiredStatus: 'STOPPED', stoppedAt: 2 });
  t.equal(exited.containers[1]?.lastStatus, 'STOPPED', 'every container ends STOPPED with the task');

  const failed = applyTaskChange(task(), { status: 'STOPPED', reason: 'CannotPullContainerError: nope' }, 2);
  t.match(failed, { stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: nope' });

  const userStop = applyTaskChange(task({ stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user', desiredStatus: 'STOPPED' }), { status: 'STOPPED' }, 3);
  t.match(userStop, { stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' }, 'a user stop keeps its reason');
});

t.test('pull and execution timestamps arrive as epoch seconds and are kept in ms', async (t) => {
  const out = applyTaskChange(task(), { pullStartedAt: 10.5, pullStoppedAt: 11, executionStoppedAt: 12.25 }, 1);
  t.match(out, { pullStartedAt: 10500, pullStoppedAt: 11000, executionStoppedAt: 12250 });
  const again = applyTaskChange(out, { pullStartedAt: 99 }, 2);
  t.equal(again.pullStartedAt, 10500, 'the first pull start wins');
});
