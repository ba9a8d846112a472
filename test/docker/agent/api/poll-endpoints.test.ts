import t from 'tap';
import { startAgent } from '../../../../src/agent/index.js';
import { eventually, startFakeControlPlane } from '../../../kit/fake-control-plane.js';
import { agentConfig, tempDataDir, testLogger, uniqueCluster } from '../../../kit/agent-harness.js';

t.test('ACS and TCS share one DiscoverPollEndpoint result', async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const cluster = uniqueCluster('poll');
  const config = agentConfig({
    cluster,
    backend: fake.url,
    dataDir: tempDataDir(t),
    portRange: '41700-41709',
    // The fake refuses the TCS upgrade, so TCS keeps redialling: each attempt asks the cache again.
    extra: { BERTH_TCS_PUBLISH_INTERVAL: '100ms' },
  });
  const agent = await startAgent({ config, log: testLogger() });
  t.teardown(() => agent.close());
  // Wait until TCS has asked for its endpoint (its dial reaches the fake as a refused upgrade).
  await eventually('two TCS dials', () => fake.otherUpgrades.filter((u) => u.startsWith('/tcs/ws')).length >= 2);
  t.equal(fake.ofOperation('DiscoverPollEndpoint').length, 1, 'one DiscoverPollEndpoint call for both sessions');
});
