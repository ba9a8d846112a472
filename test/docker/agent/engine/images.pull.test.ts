/** Pull: an image that exists only in a local registry is pulled, then run. */
import t from 'tap';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { startAgent } from '../../../../src/agent/index.js';
import { startFakeControlPlane, eventually } from '../../../kit/fake-control-plane.js';
import { BUSYBOX, docker, startLocalRegistry } from '../../../kit/docker.js';
import { agentConfig, cleanupContainers, taskArn, tempDataDir, testLogger, uniqueCluster, webTask } from '../../../kit/agent-harness.js';

t.test('an image only in a registry is pulled and the task runs', { skip: !existsSync('/usr/bin/docker-registry') && 'no docker-registry binary' }, async (t) => {
  const registry = await startLocalRegistry();
  t.teardown(() => registry.stop());
  const image = `${registry.host}/berth-pull-${randomBytes(4).toString('hex')}:latest`;
  docker('tag', BUSYBOX, image);
  docker('push', image);
  docker('rmi', image);
  t.teardown(() => {
    try {
      docker('rmi', '-f', image);
    } catch {
      // already gone
    }
  });

  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const cluster = uniqueCluster('pull');
  cleanupContainers(t, cluster);
  const agent = await startAgent({ config: agentConfig({ cluster, backend: fake.url, dataDir: tempDataDir(t), portRange: '41400-41499' }), log: testLogger() });
  t.teardown(() => agent.close());

  const arn = taskArn(cluster);
  fake.sendPayload([webTask(arn, 'RUNNING', image)]);
  const running = await eventually('RUNNING', () => fake.ofOperation('SubmitTaskStateChange').find((r) => r.body['task'] === arn && r.body['status'] === 'RUNNING'), 60_000);
  t.type(running.body['pullStartedAt'], 'number', 'reports when the pull started');
  t.type(running.body['pullStoppedAt'], 'number', 'reports when the pull ended');
  t.ok(docker('image', 'inspect', '--format', '{{.Id}}', image), 'the image is now local');
});

t.test('a missing image stops the task with CannotPullContainerError', async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const cluster = uniqueCluster('nopull');
  cleanupContainers(t, cluster);
  const agent = await startAgent({ config: agentConfig({ cluster, backend: fake.url, dataDir: tempDataDir(t), portRange: '41500-41509', extra: { BERTH_IMAGE_PULL_BACKOFF: '10ms,20ms' } }), log: testLogger() });
  t.teardown(() => agent.close());
  const arn = taskArn(cluster);
  fake.sendPayload([webTask(arn, 'RUNNING', '127.0.0.1:1/berth-does-not-exist:latest')]);
  const stopped = await eventually('STOPPED', () => fake.ofOperation('SubmitTaskStateChange').find((r) => r.body['task'] === arn && r.body['status'] === 'STOPPED'), 60_000);
  const c = (stopped.body['containers'] as Record<string, unknown>[])[0]!;
  t.match(c['reason'], /^CannotPullContainerError: /);
});
