/**
 * The emulator's side of durability: agentConnected follows heartbeat acks, periodic TaskManifestMessage and
 * TaskStopVerification answers, and SubmitTaskStateChange that is idempotent and never moves backwards.
 */
import t from 'tap';
import WebSocket from 'ws';
import { DescribeContainerInstancesCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand, SubmitTaskStateChangeCommand } from '@aws-sdk/client-ecs';
import { startEmulator } from '../../../src/emulator/index.js';
import { silentLogger } from '../../../src/shared/log.js';
import { eventually, tempDataDir, type Teardownable } from '../../kit/emulator.js';
import { clusterWithInstance, webTaskDefinition } from '../../kit/emulator-fixtures.js';

interface Frame {
  type: string;
  message: Record<string, unknown>;
}

/** A raw ACS client that acks heartbeats only while `ackHeartbeats` is true. */
async function rawAgent(t: Teardownable, url: string, cluster: string, instanceArn: string) {
  const q = new URLSearchParams({ clusterArn: cluster, containerInstanceArn: instanceArn, protocolVersion: '2', sendCredentials: 'true', seqNum: '1', agentVersion: '1.72.0', agentHash: 'dur' });
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/acs/ws?${q.toString()}`, { headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecs/aws4_request' } });
  const agent = { ws, frames: [] as Frame[], ackHeartbeats: true, send: (type: string, message: Record<string, unknown>) => ws.send(JSON.stringify({ type, message })) };
  ws.on('message', (d) => {
    const f = JSON.parse(d.toString()) as Frame;
    agent.frames.push(f);
    if (f.type === 'HeartbeatMessage' && agent.ackHeartbeats) agent.send('HeartbeatAckRequest', { messageId: f.message['messageId'] });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  t.teardown(() => ws.terminate());
  return agent;
}

async function setup(t: Teardownable, opts: { manifestIntervalMs?: number } = {}) {
  const emu = await startEmulator({ port: 0, dataDir: tempDataDir(t), log: silentLogger(), heartbeatIntervalMs: 100, missedHeartbeatLimit: 2, manifestIntervalMs: opts.manifestIntervalMs ?? 0 });
  const ecs = new ECSClient({ endpoint: emu.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
  t.teardown(async () => {
    ecs.destroy();
    await emu.close();
  });
  const { cluster, instanceArn } = await clusterWithInstance(ecs, { cluster: 'dur-emu' });
  await webTaskDefinition(ecs);
  const connected = async (): Promise<boolean | undefined> =>
    (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [instanceArn] }))).containerInstances?.[0]?.agentConnected;
  return { emu, ecs, cluster, instanceArn, connected };
}

t.test('agentConnected turns false after missed heartbeat acks and true again when the agent reconnects', async (t) => {
  const { emu, cluster, instanceArn, connected } = await setup(t);
  const first = await rawAgent(t, emu.url, cluster, instanceArn);
  await eventually(async () => ((await connected()) === true ? true : undefined));
  first.ackHeartbeats = false;
  await eventually(async () => ((await connected()) === false ? true : undefined));
  t.equal(first.ws.readyState, WebSocket.OPEN, 'the socket itself is still open');
  first.ackHeartbeats = true;
  await eventually(async () => ((await connected()) === true ? true : undefined));
  first.ackHeartbeats = false;
  await eventually(async () => ((await connected()) === false ? true : undefined));

  await rawAgent(t, emu.url, cluster, instanceArn);
  t.equal(await connected(), true, 'a new connection counts as connected at once');
});

t.test('a periodic TaskManifestMessage lists the live tasks with a timeline above every seqNum; stop verification confirms only tasks that should stop', async (t) => {
  const { emu, ecs, cluster, instanceArn } = await setup(t, { manifestIntervalMs: 200 });
  const agent = await rawAgent(t, emu.url, cluster, instanceArn);
  const [a, b] = [0, 1].map(async () => (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web' }))).tasks![0]!.taskArn!);
  const arns = [await a!, await b!];
  const payloads = await eventually(() => {
    const p = agent.frames.filter((f) => f.type === 'PayloadMessage');
    return p.flatMap((x) => x.message['tasks'] as { arn: string }[]).length >= 2 ? p : undefined;
  });
  const maxSeq = Math.max(...payloads.map((p) => p.message['seqNum'] as number));
  await ecs.send(new StopTaskCommand({ cluster, task: arns[1]! }));
  const manifest = await eventually(() => {
    const m = agent.frames.filter((f) => f.type === 'TaskManifestMessage').pop();
    const tasks = m?.message['tasks'] as { taskArn: string; desiredStatus: string }[] | undefined;
    return tasks?.some((x) => x.taskArn === arns[1] && x.desiredStatus === 'STOPPED') ? m : undefined;
  });
  t.ok((manifest.message['timeline'] as number) > maxSeq, 'timeline above every payload seqNum');
  t.same(
    (manifest.message['tasks'] as { taskArn: string }[]).map((x) => x.taskArn).sort(),
    [...arns].sort(),
    'both tasks are listed (neither has STOPPED yet)',
  );

  agent.send('TaskStopVerificationMessage', {
    messageId: manifest.message['messageId'],
    stopCandidates: [...arns, 'arn:aws:ecs:us-east-1:000000000000:task/dur-emu/unknown'].map((taskArn) => ({ taskArn, desiredStatus: 'STOPPED' })),
  });
  const ack = await eventually(() => agent.frames.find((f) => f.type === 'TaskStopVerificationAck'));
  t.equal(ack.message['messageId'], manifest.message['messageId']);
  t.same(
    (ack.message['stopTasks'] as { taskArn: string }[]).map((x) => x.taskArn).sort(),
    [arns[1], 'arn:aws:ecs:us-east-1:000000000000:task/dur-emu/unknown'].sort(),
    'the RUNNING-desired task is not confirmed',
  );
});

t.test('SubmitTaskStateChange accepts duplicates and never moves a task backwards', async (t) => {
  const { emu, ecs, cluster, instanceArn } = await setup(t);
  const agent = await rawAgent(t, emu.url, cluster, instanceArn);
  const arn = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'web' }))).tasks![0]!.taskArn!;
  await eventually(() => agent.frames.find((f) => f.type === 'PayloadMessage'));
  const submit = (status: string, exitCode?: number) =>
    ecs.send(new SubmitTaskStateChangeCommand({ cluster, task: arn, status, containers: [{ containerName: 'web', status, ...(exitCode === undefined ? {} : { exitCode }) }] }));
  const describe = async () => (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;
  await submit('RUNNING');
  const running = await describe();
  await submit('RUNNING');
  const again = await describe();
  t.equal(again.lastStatus, 'RUNNING');
  t.same(again.startedAt, running.startedAt, 'a duplicate changes no timestamps');
  await submit('STOPPED', 0);
  await submit('STOPPED', 0);
  await submit('RUNNING');
  const final = await describe();
  t.equal(final.lastStatus, 'STOPPED', 'a late RUNNING does not revive a STOPPED task');
  t.equal(final.containers?.[0]?.lastStatus, 'STOPPED');
  t.equal(final.containers?.[0]?.exitCode, 0);
});
