import t, { type Test } from 'tap';
import { silentLogger } from '../../../../../src/shared/log.js';
import type { IAMRoleCredentialsMessage } from '../../../../../src/shared/protocol/acs.js';
import { CredentialsIssuer } from '../../../../../src/emulator/ecs/credentials/issuer.js';
import { fakeRoleCredentials, rfc3339 } from '../../../../../src/emulator/ecs/credentials/keys.js';
import { waitUntil } from '../../../../kit/wait.js';
import { withRoleCredentials } from '../../../../../src/emulator/ecs/credentials/attach.js';

const TASK = { taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/md-c/1', taskClusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/md-c', instanceArn: 'ci-1' };
const ROLE = 'arn:aws:iam::000000000000:role/app';

function issuer(t: Test, opts: { refreshMs?: number; live?: () => boolean; connected?: () => boolean } = {}) {
  const sent: IAMRoleCredentialsMessage[] = [];
  const i = new CredentialsIssuer({
    now: () => Date.parse('2030-01-01T00:00:00Z'),
    log: silentLogger(),
    refreshMs: opts.refreshMs ?? 60_000,
    isLive: () => opts.live?.() ?? true,
    send: (_instance, m) => {
      if (!(opts.connected?.() ?? true)) return false;
      sent.push(m);
      return true;
    },
  });
  t.teardown(() => i.close());
  return { i, sent };
}

const until = (what: string, check: () => boolean, ms = 5000): Promise<true> => waitUntil(what, check, { timeoutMs: ms, intervalMs: 5 });

t.test('fake credentials look like STS temporary credentials with an RFC 3339 expiration', async (t) => {
  const c = fakeRoleCredentials({ credentialsId: 'id-1', roleArn: ROLE, expiresAtMs: Date.parse('2030-01-01T01:00:00.123Z') });
  t.match(c.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
  t.equal(c.secretAccessKey?.length, 40);
  t.ok((c.sessionToken?.length ?? 0) > 200);
  t.equal(c.expiration, '2030-01-01T01:00:00Z');
  t.equal(rfc3339(0), '1970-01-01T00:00:00Z');
  t.not(fakeRoleCredentials({ credentialsId: 'x', roleArn: ROLE, expiresAtMs: 0 }).secretAccessKey, c.secretAccessKey, 'random every time');
});

t.test('one credentials id per task and role, stable across calls', async (t) => {
  const { i } = issuer(t);
  const a = i.credentialsFor(TASK, 'TaskApplication', ROLE);
  t.same(i.credentialsFor(TASK, 'TaskApplication', ROLE), a, 'the same set until a refresh');
  const e = i.credentialsFor(TASK, 'TaskExecution', 'arn:aws:iam::000000000000:role/exec');
  t.not(e.credentialsId, a.credentialsId, 'the execution role has its own id');
  t.equal(a.expiration, '2030-01-01T01:00:00Z', 'one hour by default');
});

t.test('a refresh sends new keys under the same credentials id and waits for the ack', async (t) => {
  const { i, sent } = issuer(t, { refreshMs: 20 });
  const first = i.credentialsFor(TASK, 'TaskApplication', ROLE);
  await until('a refresh', () => sent.length >= 1);
  const m = sent[0]!;
  t.equal(m.taskArn, TASK.taskArn);
  t.equal(m.taskClusterArn, TASK.taskClusterArn);
  t.equal(m.roleType, 'TaskApplication');
  t.equal(m.roleCredentials?.credentialsId, first.credentialsId, 'same id');
  t.not(m.roleCredentials?.secretAccessKey, first.secretAccessKey, 'new keys');
  t.same(i.credentialsFor(TASK, 'TaskApplication', ROLE), m.roleCredentials, 'payloads from now on carry the new keys');
  t.equal(i.unackedCount(), 1, 'the refresh waits for its ack');
  i.onAck({ messageId: sent[sent.length - 1]!.messageId });
  t.equal(i.unackedCount(), 0, 'the ack is tracked');
});

t.test('a refresh made while disconnected is re-sent on the next connection; stopped tasks are not refreshed', async (t) => {
  let connected = false;
  let live = true;
  const { i, sent } = issuer(t, { refreshMs: 20, connected: () => connected, live: () => live });
  i.credentialsFor(TASK, 'TaskApplication', ROLE);
  await until('an unacked refresh', () => i.unackedCount() === 1);
  t.equal(sent.length, 0, 'nothing could be sent');
  connected = true;
  i.resendUnacked(TASK.instanceArn);
  t.equal(sent.length, 1, 're-sent on connect');
  i.onAck({ messageId: sent[0]!.messageId });
  live = false;
  const before = sent.length;
  await new Promise((r) => setTimeout(r, 100));
  t.ok(sent.length <= before + 1, 'at most the refresh already in flight');
  const after = sent.length;
  await new Promise((r) => setTimeout(r, 100));
  t.equal(sent.length, after, 'no refreshes for a stopped task');
});

t.test('credentials are embedded for the task role and the execution role the task definition names', async (t) => {
  const { i } = issuer(t);
  const task = withRoleCredentials({ arn: TASK.taskArn }, { taskRoleArn: ROLE, executionRoleArn: 'arn:aws:iam::000000000000:role/exec' }, TASK, i);
  t.equal(task.roleCredentials?.roleArn, ROLE);
  t.equal(task.executionRoleCredentials?.roleArn, 'arn:aws:iam::000000000000:role/exec');
  const none = withRoleCredentials({ arn: TASK.taskArn }, {}, TASK, i);
  t.notOk(none.roleCredentials);
  t.notOk(none.executionRoleCredentials);
});
