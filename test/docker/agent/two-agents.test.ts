/**
 * Two agents on one Docker engine, in the same cluster, each with its own data dir and instance: each adopts
 * and removes only its own containers, even when the other's look exactly like half-made leftovers.
 */
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { startAgent } from '../../../src/agent/index.js';
import { startFakeControlPlane, eventually, type AcsConnection } from '../../kit/fake-control-plane.js';
import { BUSYBOX, containersWithLabel, docker } from '../../kit/docker.js';
import { agentConfig, cleanupContainers, taskArn, tempDataDir, testLogger, uniqueCluster, webTask } from '../../kit/agent-harness.js';

const sendPayload = (conn: AcsConnection, tasks: Record<string, unknown>[]): void =>
  conn.socket.send(JSON.stringify({ type: 'PayloadMessage', message: { messageId: randomUUID(), seqNum: 1, tasks } }));

/** A container that looks like a half-made copy of `arn`'s web container (same labels, another name). */
function leftover(cluster: string, arn: string): string {
  return docker('create', '--name', `dur-leftover-${randomUUID().slice(0, 8)}`, '--label', `com.amazonaws.ecs.cluster=${cluster}`, '--label', `com.amazonaws.ecs.task-arn=${arn}`, '--label', 'com.amazonaws.ecs.container-name=web', BUSYBOX, 'sleep', '60');
}

t.test('two agents sharing one Docker engine and one cluster each keep to their own containers across a restart', async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const cluster = uniqueCluster('dur-two');
  cleanupContainers(t, cluster);
  const configA = agentConfig({ cluster, backend: fake.url, dataDir: tempDataDir(t), portRange: '53100-53119', extra: { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1h' } });
  const configB = agentConfig({ cluster, backend: fake.url, dataDir: tempDataDir(t), portRange: '53120-53139', extra: { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1h' } });
  const a1 = await startAgent({ config: configA, log: testLogger() });
  const connA = fake.connections[fake.connections.length - 1]!;
  const b = await startAgent({ config: configB, log: testLogger() });
  t.teardown(() => b.close());
  const connB = fake.connections[fake.connections.length - 1]!;
  t.not(a1.containerInstanceArn, b.containerInstanceArn);

  const [arnA, arnB] = [taskArn(cluster), taskArn(cluster)];
  sendPayload(connA, [webTask(arnA, 'RUNNING')]);
  sendPayload(connB, [webTask(arnB, 'RUNNING')]);
  const running = (arn: string) => fake.ofOperation('SubmitTaskStateChange').find((r) => r.body['task'] === arn && r.body['status'] === 'RUNNING');
  await eventually('A RUNNING', () => running(arnA), 30_000);
  await eventually('B RUNNING', () => running(arnB), 30_000);
  await a1.close();

  const leftoverA = leftover(cluster, arnA);
  const leftoverB = leftover(cluster, arnB);
  const [webA] = containersWithLabel('com.amazonaws.ecs.task-arn', arnA).filter((id) => !id.startsWith(leftoverA));
  const bBefore = containersWithLabel('com.amazonaws.ecs.task-arn', arnB).sort();

  const a2 = await startAgent({ config: configA, log: testLogger() });
  t.teardown(() => a2.close());
  t.equal(a2.containerInstanceArn, a1.containerInstanceArn);
  t.same(containersWithLabel('com.amazonaws.ecs.task-arn', arnA), [webA], "A removed its own half-made copy and kept its task's container");
  t.same(containersWithLabel('com.amazonaws.ecs.task-arn', arnB).sort(), bBefore, "A touched none of B's containers, not even the look-alike leftover");
  t.ok(bBefore.some((id) => id.startsWith(leftoverB)));
  t.equal(docker('inspect', '-f', '{{.State.Running}}', webA!), 'true');

  // Both still work after the restart: stop each task through its own agent.
  const connA2 = fake.connections[fake.connections.length - 1]!;
  t.not(connA2, connA);
  sendPayload(connA2, [webTask(arnA, 'STOPPED')]);
  sendPayload(connB, [webTask(arnB, 'STOPPED')]);
  const stopped = (arn: string) => fake.ofOperation('SubmitTaskStateChange').find((r) => r.body['task'] === arn && r.body['status'] === 'STOPPED');
  await eventually('A STOPPED', () => stopped(arnA), 30_000);
  await eventually('B STOPPED', () => stopped(arnB), 30_000);
  t.equal(fake.ofOperation('SubmitTaskStateChange').filter((r) => r.body['task'] === arnA && r.body['status'] === 'RUNNING').length, 1, 'A reported RUNNING once: the restart created nothing new');
});
