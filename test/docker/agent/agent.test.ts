/**
 * The agent against a fake control plane and real Docker: registration, ACS, a busybox httpd task from
 * payload to RUNNING, HTTP through the dynamic host port, STOPPED with an exit code, cleanup.
 */
import t from 'tap';
import { startAgent } from '../../../src/agent/index.js';
import { startFakeControlPlane, eventually } from '../../kit/fake-control-plane.js';
import { containersWithLabel, docker } from '../../kit/docker.js';
import { haveModels, loadModel, validateShape } from '../../kit/models.js';
import { agentConfig, cleanupContainers, taskArn, tempDataDir, testLogger, uniqueCluster, webTask } from '../../kit/agent-harness.js';

t.test('the agent runs a task from an ACS payload and stops it again', async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const cluster = uniqueCluster('agent');
  cleanupContainers(t, cluster);
  const config = agentConfig({ cluster, backend: fake.url, dataDir: tempDataDir(t), portRange: '41100-41199' });
  const agent = await startAgent({ config, log: testLogger() });
  t.teardown(() => agent.close());

  const reg = fake.ofOperation('RegisterContainerInstance');
  t.equal(reg.length, 1, 'registers once');
  t.equal(reg[0]!.body['cluster'], cluster);
  if (haveModels) {
    t.same(validateShape(loadModel('ecs-service-2.json'), 'RegisterContainerInstanceRequest', reg[0]!.body), [], 'registration request conforms to the ECS model');
  }
  t.match(agent.containerInstanceArn, /^arn:aws:ecs:us-west-2:123456789012:container-instance\//);

  const conn = fake.connections[0]!;
  t.match(String(conn.headers['authorization']), /^AWS4-HMAC-SHA256 Credential=AKIDBERTHAGENTTEST\/\d{8}\/us-west-2\/ecs\/aws4_request/, 'upgrade is SigV4-signed');
  t.ok(conn.headers['x-amz-date'], 'upgrade carries X-Amz-Date');
  const query = new URL(conn.url, 'http://x').searchParams;
  t.equal(query.get('sendCredentials'), 'true');
  t.equal(query.get('containerInstanceArn'), agent.containerInstanceArn);

  const hb = fake.sendHeartbeat();
  await eventually('heartbeat ack', () => conn.frames.find((f) => f.type === 'HeartbeatAckRequest' && f.message['messageId'] === hb));

  fake.sendRaw('{nope');
  const hb2 = fake.sendHeartbeat();
  await eventually('heartbeat ack after a malformed frame', () => conn.frames.find((f) => f.type === 'HeartbeatAckRequest' && f.message['messageId'] === hb2));
  t.equal(fake.connections.length, 1, 'a malformed frame keeps the same connection');

  const arn = taskArn(cluster);
  const msgId = fake.sendPayload([webTask(arn, 'RUNNING')]);
  const ack = await eventually('payload ack', () => conn.frames.find((f) => f.type === 'AckRequest' && f.message['messageId'] === msgId));
  t.same(ack.message, { cluster, containerInstance: agent.containerInstanceArn, messageId: msgId }, 'acks with the configured cluster');

  const running = await eventually('RUNNING state change', () =>
    fake.ofOperation('SubmitTaskStateChange').find((r) => r.body['task'] === arn && r.body['status'] === 'RUNNING'));
  const c = (running.body['containers'] as Record<string, unknown>[])[0]!;
  t.equal(c['containerName'], 'web');
  t.match(c['runtimeId'], /^[0-9a-f]{64}$/);
  const bindings = c['networkBindings'] as { bindIP: string; containerPort: number; hostPort: number; protocol: string }[];
  t.equal(bindings.length, 1, 'one binding (IPv6 dropped)');
  t.match(bindings[0], { bindIP: '0.0.0.0', containerPort: 8080, protocol: 'tcp' });
  t.ok(bindings[0]!.hostPort >= 41100 && bindings[0]!.hostPort <= 41199, 'host port from the dynamic range');

  const body = await eventually('httpd answer', async () => {
    const res = await fetch(`http://127.0.0.1:${bindings[0]!.hostPort}/`);
    return res.ok ? res.text() : undefined;
  });
  t.match(body, /hello from berth/);

  const ids = containersWithLabel('com.amazonaws.ecs.task-arn', arn);
  t.equal(ids.length, 1, 'exactly one container for the task');
  const name = docker('inspect', '--format', '{{.Name}}', ids[0]!);
  t.match(name, /^\/ecs-berth-web-3-web-[0-9a-f]{20}$/, 'official name scheme');

  fake.sendPayload([webTask(arn, 'STOPPED')]);
  const stopped = await eventually('STOPPED state change', () =>
    fake.ofOperation('SubmitTaskStateChange').find((r) => r.body['task'] === arn && r.body['status'] === 'STOPPED'));
  const sc = (stopped.body['containers'] as Record<string, unknown>[])[0]!;
  t.equal(sc['status'], 'STOPPED');
  t.type(sc['exitCode'], 'number', 'reports the exit code');
  t.type(stopped.body['executionStoppedAt'], 'number');

  await eventually('container removed after the cleanup wait', () => containersWithLabel('com.amazonaws.ecs.task-arn', arn).length === 0);

  if (haveModels) {
    const ecs = loadModel('ecs-service-2.json');
    for (const r of fake.requests) {
      const op = ecs.operations[r.operation];
      t.same(validateShape(ecs, op!.input!.shape, r.body), [], `${r.operation} request conforms`);
    }
    const acsModel = loadModel('acs-api-2.json');
    for (const f of conn.frames) t.same(validateShape(acsModel, f.type, f.message), [], `${f.type} frame conforms`);
  }

  await agent.close();
  t.equal(await agent.done, 0, 'done resolves 0 after close');
  await eventually('close frame', () => conn.closeCode === 1000);
});
