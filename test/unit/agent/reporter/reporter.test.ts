import t from 'tap';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { Reporter } from '../../../../src/agent/reporter/reporter.js';
import type { TaskStateChange } from '../../../../src/agent/reporter/state-change.js';
import { silentLogger } from '../../../../src/shared/log.js';

function change(task: string, status: 'RUNNING' | 'STOPPED'): TaskStateChange {
  return { taskArn: task, status, containers: [], input: { cluster: 'c', task, status, reason: '', containers: [] } };
}

/** An ECS client stand-in: every SubmitTaskStateChange takes `delayMs`; concurrency and order are recorded. */
function slowClient(delayMs: number) {
  const sent: string[] = [];
  const state = { inFlight: 0, max: 0 };
  const client = {
    async send(cmd: { input: { task?: string; status?: string } }) {
      state.inFlight++;
      state.max = Math.max(state.max, state.inFlight);
      await new Promise((r) => setTimeout(r, delayMs));
      state.inFlight--;
      sent.push(`${cmd.input.task} ${cmd.input.status}`);
      return {};
    },
  } as unknown as ECSClient;
  return { client, sent, state };
}

t.test('at most 10 submissions are in flight, and each task keeps its order', async (t) => {
  const { client, sent, state } = slowClient(20);
  const confirmed: string[] = [];
  const reporter = new Reporter({ client, log: silentLogger(), onSent: (c) => confirmed.push(`${c.taskArn} ${c.status}`) });
  t.teardown(() => reporter.close());
  for (let i = 0; i < 30; i++) reporter.submit(change(`task-${i}`, 'RUNNING'));
  reporter.submit(change('task-0', 'STOPPED')); // queued behind task-0's RUNNING, which is in flight
  const deadline = Date.now() + 5000;
  while (confirmed.length < 31 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  t.equal(confirmed.length, 31);
  t.equal(state.max, 10);
  t.ok(sent.indexOf('task-0 RUNNING') < sent.indexOf('task-0 STOPPED'), 'RUNNING before STOPPED for one task');
});

t.test('close lets waiting submissions go without hanging', async (t) => {
  const { client } = slowClient(200);
  const reporter = new Reporter({ client, log: silentLogger(), onSent: () => undefined });
  for (let i = 0; i < 20; i++) reporter.submit(change(`task-${i}`, 'RUNNING'));
  const t0 = Date.now();
  await reporter.close();
  t.ok(Date.now() - t0 < 1000, 'closed promptly');
});
