/** Restart: a second agent on the same data dir reuses the instance ARN and adopts the running task. */
import t from 'tap';
import { startAgent } from '../../../src/agent/index.js';
import { startFakeControlPlane, eventually } from '../../kit/fake-control-plane.js';
import { containersWithLabel } from '../../kit/docker.js';
import { agentConfig, cleanupContainers, taskArn, tempDataDir, testLogger, uniqueCluster, webTask } from '../../kit/agent-harness.js';

t.test('a restarted agent keeps its instance and its running task, and creates no second container', async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const cluster = uniqueCluster('restart');
  cleanupContainers(t, cluster);
  const config = agentConfig({ cluster, backend: fake.url, dataDir: tempDataDir(t), portRange: '41200-41299' });

  const first = await startAgent({ config, log: testLogger() });
  const arn = taskArn(cluster);
  fake.sendPayload([webTask(arn, 'RUNNING')]);
  await eventually('RUNNING', () => fake.ofOperation('SubmitTaskStateChange').find((r) => r.body['task'] === arn && r.body['status'] === 'RUNNING'));
  await first.close();
  await first.close(); // idempotent
  t.equal(containersWithLabel('com.amazonaws.ecs.task-arn', arn).length, 1, 'the container outlives the agent');

  const second = await startAgent({ config, log: testLogger() });
  t.teardown(() => second.close());
  const regs = fake.ofOperation('RegisterContainerInstance');
  t.equal(regs.length, 2);
  t.equal(regs[1]!.body['containerInstanceArn'], first.containerInstanceArn, 'the saved ARN is sent again');
  t.notOk(regs[1]!.body['attributes'] && (regs[1]!.body['attributes'] as { name: string }[]).some((a) => a.name === 'custom'), 'no custom attributes after the first registration');
  t.equal(second.containerInstanceArn, first.containerInstanceArn);
  const conn = fake.connections[fake.connections.length - 1]!;
  t.equal(new URL(conn.url, 'http://x').searchParams.get('sendCredentials'), 'true', 'a new process asks for credentials again');

  // The control plane re-sends the desired state on reconnect; the task is known, so nothing is created.
  const msgId = fake.sendPayload([webTask(arn, 'RUNNING')]);
  await eventually('ack', () => conn.frames.find((f) => f.type === 'AckRequest' && f.message['messageId'] === msgId));
  await new Promise((r) => setTimeout(r, 500));
  t.equal(containersWithLabel('com.amazonaws.ecs.task-arn', arn).length, 1, 'still exactly one container');
  t.notOk(fake.ofOperation('SubmitTaskStateChange').some((r) => r.body['task'] === arn && r.body['status'] === 'STOPPED'), 'the task was not stopped');

  fake.sendPayload([webTask(arn, 'STOPPED')]);
  await eventually('STOPPED after restart', () => fake.ofOperation('SubmitTaskStateChange').find((r) => r.body['task'] === arn && r.body['status'] === 'STOPPED'));
});

t.test('a saved cluster that differs from ECS_CLUSTER is a terminal ClusterMismatchError', async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const dataDir = tempDataDir(t);
  const cluster = uniqueCluster('mismatch');
  const agent = await startAgent({ config: agentConfig({ cluster, backend: fake.url, dataDir, portRange: '41300-41310' }), log: testLogger() });
  await agent.close();
  await t.rejects(
    startAgent({ config: agentConfig({ cluster: `${cluster}-other`, backend: fake.url, dataDir, portRange: '41300-41310' }), log: testLogger() }),
    { code: 'ClusterMismatchError', retriable: false },
  );
});

t.test('an attribute the control plane does not echo is a terminal AttributeError', async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const cluster = uniqueCluster('attr');
  const config = agentConfig({ cluster, backend: fake.url, dataDir: tempDataDir(t), portRange: '41311-41320', extra: { ECS_INSTANCE_ATTRIBUTES: '{"custom":"x"}' } });
  fake.mangleAttributes = true;
  await t.rejects(startAgent({ config, log: testLogger() }), { code: 'AttributeError', retriable: false });
});

t.test('the default cluster is created when the control plane does not know it', async (t) => {
  const fake = await startFakeControlPlane({ strictClusters: true });
  t.teardown(() => fake.close());
  const config = agentConfig({ cluster: '', backend: fake.url, dataDir: tempDataDir(t), portRange: '41321-41330' });
  t.equal(config.cluster, 'default');
  const agent = await startAgent({ config, log: testLogger() });
  t.teardown(() => agent.close());
  t.same(fake.requests.map((r) => r.operation).slice(0, 3), ['RegisterContainerInstance', 'CreateCluster', 'RegisterContainerInstance']);
  t.same(fake.ofOperation('CreateCluster')[0]!.body, { clusterName: 'default' });
});
