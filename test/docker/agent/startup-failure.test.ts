/**
 * A start that fails part-way closes everything it had started (src/agent/started-parts.ts): here the last part,
 * the Prometheus endpoint, cannot bind its port, after Docker, the state store, the ECS client, registration, the
 * local endpoints, the reporter and the engine had started. Proof that nothing is left behind: the same agent
 * starts cleanly right after, on the same data dir and the same introspection and metadata ports.
 */
import t from 'tap';
import net from 'node:net';
import { startAgent } from '../../../src/agent/index.js';
import { startFakeControlPlane } from '../../kit/fake-control-plane.js';
import { freePort } from '../../kit/docker.js';
import { settledHandles } from '../../kit/open-handles.js';
import { agentConfig, cleanupContainers, tempDataDir, testLogger, uniqueCluster } from '../../kit/agent-harness.js';

t.test('a start that fails at its last part closes the parts before it, and the next start succeeds on the same ports', async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const cluster = uniqueCluster('startfail');
  cleanupContainers(t, cluster);
  const dataDir = tempDataDir(t);
  const [introspection, metadata, prometheus] = await Promise.all([freePort(), freePort(), freePort()]);
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(prometheus, '0.0.0.0', resolve));
  const config = (promPort: number) => agentConfig({
    cluster, backend: fake.url, dataDir, portRange: '41600-41609',
    extra: {
      BERTH_INTROSPECTION_PORT: String(introspection),
      BERTH_METADATA_PORT: String(metadata),
      ECS_ENABLE_PROMETHEUS_METRICS: 'true',
      BERTH_PROMETHEUS_PORT: String(promPort),
    },
  });

  const before = await settledHandles();
  await t.rejects(startAgent({ config: config(prometheus), log: testLogger() }), { code: 'EADDRINUSE' }, 'the Prometheus port is taken');
  t.equal(fake.ofOperation('RegisterContainerInstance').length, 1, 'it had got as far as registering');
  // The Docker event stream, the engine's timers, the servers: all closed (sockets finish closing on the next turns).
  const after = await settledHandles();
  t.equal(after, before, 'no socket, server or timer of the failed start is left open');
  await new Promise<void>((resolve) => blocker.close(() => resolve()));

  const agent = await startAgent({ config: config(await freePort()), log: testLogger() });
  t.teardown(() => agent.close());
  t.equal(agent.introspectionPort, introspection, 'the introspection port was released');
  t.equal(agent.metadataPort, metadata, 'so was the metadata port');
  const res = await fetch(`http://127.0.0.1:${introspection}/v1/metadata`);
  t.equal(res.status, 200, 'and the new agent serves on it');
});
