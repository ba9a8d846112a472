import t from 'tap';
import { nextAction, effectiveDesired, knownTaskStatus } from '../../../../src/agent/engine/step.js';
import { newTaskRecord } from '../../../../src/agent/engine/parse-task.js';
import type { TaskRecord } from '../../../../src/agent/model/task.js';
import type { ContainerStatus } from '../../../../src/shared/model/status.js';

function task(desired: string, known: ContainerStatus[], essential: boolean[] = known.map(() => true)): TaskRecord {
  const rec = newTaskRecord({
    arn: 'arn:aws:ecs:us-west-2:1:task/c/1',
    family: 'f',
    version: '1',
    networkMode: 'bridge',
    containers: known.map((_, i) => ({
      name: `c${i}`, image: 'i', cpu: 0, memory: 0, essential: essential[i]!, command: undefined, entryPoint: undefined,
      environment: {}, portMappings: [], dockerConfig: undefined, dockerHostConfig: undefined, stopTimeoutSec: undefined,
    })),
  }, desired);
  known.forEach((k, i) => (rec.state.containers[i]!.known = k));
  return rec;
}

t.test('a task desired RUNNING moves each container up one step at a time', async (t) => {
  t.same(nextAction(task('RUNNING', ['NONE'])), { kind: 'pull', container: 'c0' });
  t.same(nextAction(task('RUNNING', ['PULLED'])), { kind: 'create', container: 'c0' });
  t.same(nextAction(task('RUNNING', ['CREATED'])), { kind: 'start', container: 'c0' });
  t.same(nextAction(task('RUNNING', ['RUNNING'])), { kind: 'wait' });
  t.same(nextAction(task('RUNNING', ['RUNNING', 'NONE'])), { kind: 'pull', container: 'c1' });
});

t.test('a task desired STOPPED stops running containers and marks the others without Docker', async (t) => {
  t.same(nextAction(task('STOPPED', ['RUNNING'])), { kind: 'stop', container: 'c0' });
  t.same(nextAction(task('STOPPED', ['NONE'])), { kind: 'mark-stopped', container: 'c0' });
  t.same(nextAction(task('STOPPED', ['CREATED'])), { kind: 'mark-stopped', container: 'c0' });
  t.same(nextAction(task('STOPPED', ['STOPPED'])), { kind: 'done' });
  t.same(nextAction(task('DEAD', ['STOPPED', 'RUNNING'])), { kind: 'stop', container: 'c1' });
});

t.test('an essential container that exits stops the task; a non-essential one does not', async (t) => {
  const essentialGone = task('RUNNING', ['STOPPED', 'RUNNING'], [true, false]);
  t.equal(effectiveDesired(essentialGone), 'STOPPED');
  t.same(nextAction(essentialGone), { kind: 'stop', container: 'c1' });
  t.equal(knownTaskStatus(essentialGone), 'RUNNING', 'reported STOPPED only once all containers stopped');
  const sidecarGone = task('RUNNING', ['RUNNING', 'STOPPED'], [true, false]);
  t.equal(effectiveDesired(sidecarGone), 'RUNNING');
  t.same(nextAction(sidecarGone), { kind: 'wait' });
});

t.test('the known task status never goes backwards', async (t) => {
  const rec = task('RUNNING', ['CREATED']);
  rec.state.known = 'RUNNING';
  t.equal(knownTaskStatus(rec), 'RUNNING');
  t.same(nextAction(task('RUNNING', ['STOPPED'])), { kind: 'done' });
});
