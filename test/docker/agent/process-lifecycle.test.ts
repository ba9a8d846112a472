/**
 * The agent as a process (`berth agent`): SIGTERM persists, closes ACS with a close frame, exits 0 and leaves
 * containers running; `--healthcheck` follows ACS and Docker; exit 1 when ACS stays unreachable, 5 when terminal.
 */
import t from 'tap';
import { startFakeControlPlane, eventually } from '../../kit/fake-control-plane.js';
import { containersWithLabel, docker } from '../../kit/docker.js';
import { cleanupContainers, taskArn, tempDataDir, uniqueCluster, webTask } from '../../kit/agent-harness.js';
import { StateStore } from '../../../src/agent/state/store.js';
import { agentEnv, healthcheck, spawnAgent } from '../../kit/agent-process.js';

t.test('SIGTERM closes ACS with a close frame, exits 0 and leaves the task running; --healthcheck follows', async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const cluster = uniqueCluster('dur-sigterm');
  cleanupContainers(t, cluster);
  const dataDir = tempDataDir(t);
  const env = agentEnv({ cluster, backend: fake.url, dataDir, portRange: '53000-53019', extra: { BERTH_HEALTH_INTERVAL: '200ms' } });
  const agent = spawnAgent(env);
  t.teardown(() => agent.child.kill('SIGKILL'));
  await eventually('ACS connection', () => fake.connections.length === 1, 30_000);
  const arn = taskArn(cluster);
  fake.sendPayload([webTask(arn, 'RUNNING')]);
  await eventually('RUNNING', () => fake.ofOperation('SubmitTaskStateChange').find((r) => r.body['task'] === arn && r.body['status'] === 'RUNNING'), 30_000);
  const ok = healthcheck(env);
  t.equal(ok.code, 0, ok.output);

  const unreachableDocker = healthcheck({ ...env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
  t.equal(unreachableDocker.code, 1, 'unhealthy when Docker cannot be reached');
  t.match(unreachableDocker.output, /docker unreachable/);

  agent.child.kill('SIGTERM');
  const exit = await agent.exited;
  t.same(exit, { code: 0, signal: null }, agent.stderr());
  t.equal(fake.connections[0]!.closeCode, 1000, 'ACS got a close frame');
  const ids = containersWithLabel('com.amazonaws.ecs.task-arn', arn);
  t.equal(ids.length, 1);
  t.equal(docker('inspect', '-f', '{{.State.Running}}', ids[0]!), 'true', 'the container keeps running');
  const store = new StateStore({ dataDir });
  t.teardown(() => store.close());
  t.equal(store.loadTasks()[0]?.state.sent, 'RUNNING', 'the sent status was persisted');
  const after = healthcheck(env);
  t.equal(after.code, 1, 'a stopped agent is unhealthy');
  t.match(after.output, /stopped/);
});

t.test('--healthcheck fails once ACS has been unreachable longer than the limit', async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const cluster = uniqueCluster('dur-health');
  const env = agentEnv({ cluster, backend: fake.url, dataDir: tempDataDir(t), portRange: '53020-53029', extra: { BERTH_HEALTH_INTERVAL: '200ms', BERTH_HEALTHCHECK_ACS_LIMIT: '1s' } });
  const agent = spawnAgent(env);
  t.teardown(() => agent.child.kill('SIGKILL'));
  await eventually('ACS connection', () => fake.connections.length === 1, 30_000);
  await eventually('healthy', () => healthcheck(env).code === 0, 10_000);
  fake.refuseUpgrades = { status: 503, body: 'unavailable' };
  fake.connections[0]!.socket.terminate();
  const sick = await eventually('unhealthy', () => {
    const h = healthcheck(env);
    return h.code === 1 ? h : undefined;
  }, 15_000);
  t.match(sick.output, /disconnected from ACS for \d+s/);
  fake.refuseUpgrades = undefined;
  await eventually('healthy again after the reconnect', () => healthcheck(env).code === 0, 15_000);
});

t.test('an agent that cannot reach ACS for longer than BERTH_ACS_GIVE_UP exits 1, before or after startup', async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const before = spawnAgent(agentEnv({ cluster: uniqueCluster('dur-giveup'), backend: fake.url, dataDir: tempDataDir(t), portRange: '53030-53039', extra: { BERTH_ACS_GIVE_UP: '2s' } }));
  t.teardown(() => before.child.kill('SIGKILL'));
  fake.refuseUpgrades = { status: 503, body: 'unavailable' };
  t.same(await before.exited, { code: 1, signal: null }, before.stderr());
  t.match(before.stderr(), /AcsUnreachableError/);

  fake.refuseUpgrades = undefined;
  const after = spawnAgent(agentEnv({ cluster: uniqueCluster('dur-giveup'), backend: fake.url, dataDir: tempDataDir(t), portRange: '53040-53049', extra: { BERTH_ACS_GIVE_UP: '2s' } }));
  t.teardown(() => after.child.kill('SIGKILL'));
  const n = fake.connections.length;
  await eventually('ACS connection', () => fake.connections.length === n + 1, 30_000);
  fake.refuseUpgrades = { status: 503, body: 'unavailable' };
  fake.connections[n]!.socket.terminate();
  t.same(await after.exited, { code: 1, signal: null }, 'done resolves 1 after startup too');
});

t.test('a terminal error (cluster mismatch) exits 5', async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const dataDir = tempDataDir(t);
  const store = new StateStore({ dataDir });
  store.setMeta('cluster-name', 'dur-some-other-cluster');
  store.close();
  const agent = spawnAgent(agentEnv({ cluster: uniqueCluster('dur-mismatch'), backend: fake.url, dataDir, portRange: '53050-53059' }));
  t.teardown(() => agent.child.kill('SIGKILL'));
  t.same(await agent.exited, { code: 5, signal: null });
  t.match(agent.stderr(), /ClusterMismatchError/);
});
