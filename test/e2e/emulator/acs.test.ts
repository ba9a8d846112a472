import t from 'tap';
import WebSocket from 'ws';
import { DescribeContainerInstancesCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { eventually, startTestEmulator, type Teardownable } from '../../kit/emulator.js';
import { FakeAgent } from '../../kit/fake-agent.js';
import { clusterWithInstance, webTaskDefinition } from '../../kit/emulator-fixtures.js';

async function setup(t: Teardownable) {
  const env = await startTestEmulator(t);
  const { cluster, instanceArn } = await clusterWithInstance(env.ecs);
  await webTaskDefinition(env.ecs);
  return { ...env, cluster, instanceArn };
}

t.test('heartbeats arrive on the configured period', async (t) => {
  const { emu, cluster, instanceArn } = await setup(t);
  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  const beats = await eventually(() => {
    const hb = agent.frames.filter((f) => f.type === 'HeartbeatMessage');
    return hb.length >= 2 ? hb : undefined;
  });
  t.equal(beats[0]?.message['healthy'], true);
  t.not(beats[0]?.message['messageId'], beats[1]?.message['messageId']);
});

t.test('a malformed or unknown frame from the agent leaves the session up', async (t) => {
  const { emu, ecs, cluster, instanceArn } = await setup(t);
  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  agent.sendRaw('this is not json');
  agent.sendRaw('{"type":"NoSuchMessage","message":{}}');
  agent.sendRaw('[1,2,3]');
  const run = await eventually(async () => (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web' }))).tasks?.[0]);
  const payload = await agent.nextPayload();
  t.equal(payload.tasks?.[0]?.arn, run.taskArn);
  t.ok(agent.isOpen);
});

t.test('a reconnecting agent gets its desired state again with a larger seqNum, unacked or not', async (t) => {
  const { emu, ecs, cluster, instanceArn } = await setup(t);
  const first = await FakeAgent.connect(emu.url, cluster, instanceArn);
  const a = (await eventually(async () => (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web' }))).tasks?.[0]))!;
  const p1 = await first.nextPayload();
  first.ack(p1.messageId);
  const b = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web' }))).tasks![0]!;
  const p2 = await first.nextPayload();
  t.equal(p2.tasks?.[0]?.arn, b.taskArn, 'the second payload is left unacked');
  await first.close();
  await eventually(async () => {
    const d = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [instanceArn] }));
    return d.containerInstances?.[0]?.agentConnected === false ? true : undefined;
  });

  const second = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => second.close());
  const resync = await second.nextPayload();
  t.ok(resync.seqNum! > p2.seqNum!, 'seqNum keeps increasing across connections');
  t.same(resync.tasks?.map((x) => x.arn).sort(), [a.taskArn, b.taskArn].sort(), 'acked and unacked tasks are resent');
  t.ok(resync.tasks?.every((x) => x.desiredStatus === 'RUNNING'));
  t.equal(new Set([p1.messageId, p2.messageId, resync.messageId]).size, 3);
});

t.test('a new connection for the same instance replaces the old one', async (t) => {
  const { emu, cluster, instanceArn } = await setup(t);
  const first = await FakeAgent.connect(emu.url, cluster, instanceArn);
  const second = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => second.close());
  await eventually(() => (first.closedWith !== undefined ? true : undefined));
  t.ok(second.isOpen);
});

t.test('an unknown instance or cluster is refused at the upgrade with an ACS error body', async (t) => {
  const { emu, cluster } = await setup(t);
  const refusal = (url: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('open', () => reject(new Error('upgrade was accepted')));
      ws.on('error', () => undefined);
    });
  const base = emu.url.replace('http', 'ws');
  const badInstance = await refusal(`${base}/acs/ws?clusterArn=${cluster}&containerInstanceArn=arn:aws:ecs:us-east-1:000000000000:container-instance/test/00`);
  t.equal(badInstance.status, 400);
  t.equal(JSON.parse(badInstance.body).type, 'InvalidInstanceException');
  const badCluster = await refusal(`${base}/acs/ws?clusterArn=ghost&containerInstanceArn=x`);
  t.same(JSON.parse(badCluster.body), { type: 'InvalidClusterException', message: { message: 'Cluster not found.' } });
});
