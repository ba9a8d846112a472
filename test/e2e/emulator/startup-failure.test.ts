/**
 * An emulator that cannot start (its port is taken) closes what it had started (src/shared/started-parts.ts):
 * no handle stays open, and the same data dir starts cleanly right after.
 */
import t from 'tap';
import net from 'node:net';
import { ListClustersCommand } from '@aws-sdk/client-ecs';
import { startEmulator } from '../../../src/emulator/index.js';
import { freePort } from '../../kit/docker.js';
import { settledHandles } from '../../kit/open-handles.js';
import { ecsClient, testLogger } from '../../kit/harness.js';
import { tempDataDir } from '../../kit/emulator.js';

t.test('a start on a taken port fails with EADDRINUSE, leaves nothing open, and the data dir starts again', async (t) => {
  const dataDir = tempDataDir(t);
  const port = await freePort();
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
  const before = await settledHandles();
  await t.rejects(startEmulator({ port, dataDir, log: testLogger() }), { code: 'EADDRINUSE' });
  t.equal(await settledHandles(), before, 'no server, socket or timer of the failed start is left open');
  await new Promise<void>((resolve) => blocker.close(() => resolve()));

  const emulator = await startEmulator({ port: 0, dataDir, log: testLogger() });
  t.teardown(() => emulator.close());
  const ecs = ecsClient(emulator.url);
  t.teardown(() => ecs.destroy());
  t.same((await ecs.send(new ListClustersCommand({}))).clusterArns, [], 'the store opens again and answers');
});
