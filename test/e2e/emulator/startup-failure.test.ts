/**
 * An emulator that cannot start (its port is taken) closes what it had started (src/shared/started-parts.ts):
 * no handle stays open, and the same data dir starts cleanly right after.
 */
import t from 'tap';
import net from 'node:net';
import { existsSync } from 'node:fs';
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

t.test('the ECR registry takes any free port when the one next to the emulator\'s is taken (and only then)', { skip: existsSync('/usr/bin/docker-registry') ? false : 'needs docker-registry' }, async (t) => {
  // A port whose neighbour is taken: bind the neighbour first.
  let port = 0;
  let blocker: net.Server | undefined;
  for (let i = 0; i < 20 && !blocker; i++) {
    const candidate = await freePort();
    const b = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      b.once('error', () => resolve(false));
      b.listen(candidate + 1, '127.0.0.1', () => resolve(true));
    });
    if (ok) {
      port = candidate;
      blocker = b;
    }
  }
  t.ok(blocker, 'found a port with a taken neighbour');
  t.teardown(() => new Promise<void>((r) => blocker!.close(() => r())));
  const emulator = await startEmulator({ port, dataDir: tempDataDir(t), log: testLogger(), ecrRegistry: {} });
  t.teardown(() => emulator.close());
  t.match(emulator.ecrRegistry, /^127\.0\.0\.1:\d+$/);
  t.not(emulator.ecrRegistry, `127.0.0.1:${port + 1}`, 'another port than the taken one');
  await t.rejects(startEmulator({ port: 0, dataDir: tempDataDir(t), log: testLogger(), ecrRegistry: { port: port + 1 } }), { code: 'EADDRINUSE' }, 'an asked-for port that is taken fails the start');
});
