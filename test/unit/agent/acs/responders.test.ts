/** Ack rules and per-message behaviour of the ACS responders (spec §4.1-§4.2), with a recording engine. */
import t from 'tap';
import { dispatch } from '../../../../src/agent/acs/dispatch.js';
import type { ResponderContext } from '../../../../src/agent/acs/responders/context.js';
import { ManifestState } from '../../../../src/agent/acs/responders/manifest-state.js';
import { CredentialsStore } from '../../../../src/agent/credentials/store.js';
import type { TaskManager } from '../../../../src/agent/engine/task-manager.js';
import type { Reporter } from '../../../../src/agent/reporter/reporter.js';
import type { TaskSpec } from '../../../../src/agent/model/task.js';
import type { ServerEnvelope } from '../../../../src/shared/protocol/acs.js';
import { StateStore } from '../../../../src/agent/state/store.js';
import { taskArn, testLogger, webTask } from '../../../kit/agent-harness.js';

const CLUSTER = 'dur-resp';

function harness(opts: { failSave?: boolean; store?: StateStore } = {}) {
  const sent: { type: string; message: Record<string, unknown> }[] = [];
  const added: { arn: string; desired: string | undefined }[] = [];
  const stopped: string[] = [];
  const reported: { taskArn: string; status: string }[] = [];
  const desired = new Map<string, string>();
  const engine = {
    addTask(spec: TaskSpec, d: string | undefined) {
      if (opts.failSave) throw new Error('disk full');
      added.push({ arn: spec.arn, desired: d });
      const before = desired.get(spec.arn);
      if (before !== 'STOPPED') desired.set(spec.arn, d ?? 'RUNNING');
    },
    stopTask(arn: string) {
      if (desired.has(arn)) {
        stopped.push(arn);
        desired.set(arn, 'STOPPED');
      }
    },
    desiredRunningTasks: () => [...desired].filter(([, d]) => d === 'RUNNING').map(([a]) => a),
    tasks: () => [...desired.keys()],
  };
  const ctx: ResponderContext = {
    send: ((type: string, message: Record<string, unknown>) => sent.push({ type, message })) as ResponderContext['send'],
    cluster: CLUSTER,
    containerInstanceArn: 'arn:ci',
    engine: engine as unknown as TaskManager,
    reporter: { submit: (c: { taskArn: string; status: string }) => reported.push(c) } as unknown as Reporter,
    credentials: new CredentialsStore(),
    manifest: new ManifestState(opts.store),
    log: testLogger(),
  };
  const deliver = (env: { type: string; message: Record<string, unknown> }): void => dispatch(env as unknown as ServerEnvelope, ctx);
  return { sent, added, stopped, reported, ctx, deliver, acks: () => sent.filter((f) => f.type === 'AckRequest').map((f) => f.message['messageId']) };
}

const payload = (messageId: string, seqNum: number, tasks: Record<string, unknown>[]) => ({
  type: 'PayloadMessage',
  message: { messageId, seqNum, clusterArn: CLUSTER, containerInstanceArn: 'arn:ci', tasks },
});

t.test('a payload is acked after every task was handed over, STOPPED tasks first; a duplicate is acked again', async (t) => {
  const h = harness();
  const [a, b, c] = [taskArn(CLUSTER), taskArn(CLUSTER), taskArn(CLUSTER)];
  h.deliver(payload('m1', 1, [webTask(a, 'RUNNING'), webTask(b, 'STOPPED'), webTask(c, 'RUNNING')]));
  t.same(h.added.map((x) => x.arn), [b, a, c], 'the STOPPED task goes to the engine first');
  t.same(h.acks(), ['m1']);
  h.deliver(payload('m1', 1, [webTask(a, 'RUNNING'), webTask(b, 'STOPPED'), webTask(c, 'RUNNING')]));
  t.same(h.acks(), ['m1', 'm1'], 'the duplicate is acked again');
  t.same(h.ctx.engine.desiredRunningTasks().sort(), [a, c].sort(), 'and changes nothing');
  t.equal(h.ctx.manifest.latestSeqNum, 1);
});

t.test('a payload is not acked when its messageId is empty, a task does not parse, or a save fails', async (t) => {
  const h = harness();
  h.deliver(payload('', 2, [webTask(taskArn(CLUSTER), 'RUNNING')]));
  const bad = taskArn(CLUSTER);
  h.deliver(payload('m2', 3, [{ ...webTask(bad, 'RUNNING'), containers: 'nope' }]));
  t.same(h.acks(), []);
  t.match(h.reported, [{ taskArn: bad, status: 'STOPPED', input: { reason: /^UnrecogniedTaskError: Error loading task - / } }]);

  const failing = harness({ failSave: true });
  failing.deliver(payload('m3', 4, [webTask(taskArn(CLUSTER), 'RUNNING')]));
  t.same(failing.acks(), [], 'not saved, not acked');
  t.same(failing.reported, [], 'and not reported STOPPED either: the control plane re-sends it');
});

t.test('a manifest newer than latestSeqNum is acked and asks to verify local RUNNING tasks it does not list', async (t) => {
  const h = harness();
  const [a, b] = [taskArn(CLUSTER), taskArn(CLUSTER)];
  h.deliver(payload('p1', 5, [webTask(a, 'RUNNING'), webTask(b, 'RUNNING')]));
  h.deliver({ type: 'TaskManifestMessage', message: { messageId: 'stale', timeline: 5, tasks: [] } });
  t.same(h.acks(), ['p1'], 'a manifest whose timeline is not above the latest seqNum is skipped without an ack');

  h.deliver({ type: 'TaskManifestMessage', message: { messageId: 'man1', timeline: 6, tasks: [{ taskArn: a, desiredStatus: 'RUNNING' }] } });
  t.same(h.acks(), ['p1', 'man1']);
  const verify = h.sent.find((f) => f.type === 'TaskStopVerificationMessage');
  t.same(verify?.message, { messageId: 'man1', stopCandidates: [{ taskArn: b, taskClusterArn: CLUSTER, desiredStatus: 'STOPPED' }] });
  t.same(h.stopped, [], 'nothing stops before the control plane confirms');

  h.deliver({ type: 'TaskStopVerificationAck', message: { messageId: 'other', stopTasks: [{ taskArn: b, desiredStatus: 'STOPPED' }] } });
  t.same(h.stopped, [], 'an ack for another manifest is ignored');
  h.deliver({ type: 'TaskStopVerificationAck', message: { messageId: 'man1', stopTasks: [{ taskArn: b, desiredStatus: 'STOPPED' }, { taskArn: 'arn:unknown', desiredStatus: 'STOPPED' }] } });
  t.same(h.stopped, [b], 'the confirmed local task is stopped');
  h.deliver({ type: 'TaskStopVerificationAck', message: { messageId: 'man1', stopTasks: [{ taskArn: a, desiredStatus: 'STOPPED' }] } });
  t.same(h.stopped, [b], 'a replayed ack does nothing');
});

t.test('a manifest that lists every local RUNNING task is acked and verifies nothing', async (t) => {
  const h = harness();
  const a = taskArn(CLUSTER);
  h.deliver(payload('p1', 1, [webTask(a, 'RUNNING')]));
  h.deliver({ type: 'TaskManifestMessage', message: { messageId: 'man', timeline: 2, tasks: [{ taskArn: a, desiredStatus: 'RUNNING' }] } });
  t.same(h.acks(), ['p1', 'man']);
  t.notOk(h.sent.some((f) => f.type === 'TaskStopVerificationMessage'));
});

t.test('heartbeats are always acked', async (t) => {
  const h = harness();
  h.deliver({ type: 'HeartbeatMessage', message: { messageId: 'hb', healthy: true } });
  t.same(h.sent, [{ type: 'HeartbeatAckRequest', message: { messageId: 'hb' } }]);
});
