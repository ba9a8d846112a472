/**
 * The ACS session's timers and reconnect rules (spec §4.3) against the recording fake control plane, with a
 * manual clock: drops (1006), server closes (1011), silence, planned expiry, backoff, InactiveInstanceException.
 */
import t, { type Test } from 'tap';
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ECSClient } from '@aws-sdk/client-ecs';
import { AcsSession, EXPIRED_CLOSE_REASON, type AcsTiming } from '../../../../src/agent/acs/session.js';
import { ManifestState } from '../../../../src/agent/acs/responders/manifest-state.js';
import { CredentialsStore } from '../../../../src/agent/credentials/store.js';
import type { TaskManager } from '../../../../src/agent/engine/task-manager.js';
import type { Reporter } from '../../../../src/agent/reporter/reporter.js';
import type { BerthError } from '../../../../src/shared/errors.js';
import { startFakeControlPlane, eventually, type FakeControlPlane } from '../../../kit/fake-control-plane.js';
import { testLogger } from '../../../kit/agent-harness.js';
import { ManualClock } from '../../../kit/manual-clock.js';

const ARN = 'arn:aws:ecs:us-west-2:123456789012:container-instance/dur-acs/0123456789abcdef';
const FIRST_BACKOFF = 250 * (1 + 0.5 * 0.2); // backoff(250ms, ...) with jitter 0.2 and random() = 0.5

async function session(t: Test, opts: { timing?: Partial<AcsTiming>; onGiveUp?: (err: BerthError) => void } = {}) {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const timers = new ManualClock();
  const client = new ECSClient({ endpoint: fake.url, region: 'us-west-2', credentials: { accessKeyId: 'AKIDDUR', secretAccessKey: 'dur-secret' }, maxAttempts: 1 });
  t.teardown(() => client.destroy());
  const acs = new AcsSession({
    client,
    region: 'us-west-2',
    credentials: { accessKeyId: 'AKIDDUR', secretAccessKey: 'dur-secret' },
    cluster: 'dur-acs',
    containerInstanceArn: ARN,
    dockerVersion: '20.10.24',
    timing: opts.timing,
    clock: timers,
    context: {
      cluster: 'dur-acs',
      containerInstanceArn: ARN,
      // Only heartbeats are exchanged here; the responders that need an engine are tested elsewhere.
      engine: {} as TaskManager,
      reporter: {} as Reporter,
      credentials: new CredentialsStore(),
      manifest: new ManifestState(),
    },
    onGiveUp: opts.onGiveUp,
    log: testLogger(),
  });
  t.teardown(() => acs.close());
  return { fake, timers, acs };
}

const sendCredentials = (fake: FakeControlPlane, i: number): string | null =>
  new URL(fake.connections[i]!.url, 'http://x').searchParams.get('sendCredentials');

t.test('a connection dropped without a close frame (1006) is re-established at once', async (t) => {
  const { fake, timers, acs } = await session(t);
  acs.start();
  await acs.firstConnection;
  t.equal(sendCredentials(fake, 0), 'true', 'the first connection asks for credentials');
  t.equal(acs.health().connected, true);
  fake.connections[0]!.socket.terminate();
  await eventually('second connection', () => fake.connections.length === 2);
  t.equal(sendCredentials(fake, 1), 'false', 'later connections do not');
  t.notOk(timers.scheduled.includes(FIRST_BACKOFF), 'no backoff wait was scheduled');
});

t.test('a connection the server closes with 1011 is re-established at once', async (t) => {
  const { fake, timers, acs } = await session(t);
  acs.start();
  await acs.firstConnection;
  fake.connections[0]!.socket.close(1011, 'internal error');
  await eventually('second connection', () => fake.connections.length === 2);
  fake.connections[1]!.socket.close(1001, 'going away');
  await eventually('third connection', () => fake.connections.length === 3);
  t.notOk(timers.scheduled.includes(FIRST_BACKOFF), 'no backoff wait was scheduled');
});

t.test('a silent connection is closed after 60s + U(0,60s) and re-dialled after the backoff; any frame resets the timer', async (t) => {
  const { fake, timers, acs } = await session(t);
  acs.start();
  await acs.firstConnection;
  const conn = fake.connections[0]!;
  // random() = 0.5: the inactivity timer is 60s + 30s.
  timers.advance(80_000);
  const hb = fake.sendHeartbeat();
  await eventually('heartbeat ack', () => conn.frames.find((f) => f.type === 'HeartbeatAckRequest' && f.message['messageId'] === hb));
  timers.advance(80_000);
  t.equal(conn.closeCode, undefined, 'still open 160s in: the heartbeat reset the inactivity timer');
  t.equal(acs.health().connected, true);

  timers.advance(10_001);
  await eventually('the agent drops the silent connection', () => conn.closeCode !== undefined);
  await timers.waitForTimer(FIRST_BACKOFF, 'the backoff wait');
  t.equal(fake.connections.length, 1, 'no reconnect before the backoff elapsed');
  t.equal(acs.health().connected, false);
  timers.advance(FIRST_BACKOFF);
  await eventually('reconnect after backoff', () => fake.connections.length === 2);
});

t.test('the read deadline closes a connection whose frames stop, even with a long inactivity timer', async (t) => {
  const { fake, timers, acs } = await session(t, { timing: { inactivityMs: 3_600_000 } });
  acs.start();
  await acs.firstConnection;
  timers.advance(180_001);
  await eventually('closed at the 3 min read deadline', () => fake.connections[0]!.closeCode !== undefined);
  await timers.waitForTimer(FIRST_BACKOFF, 'the backoff wait');
});

t.test('a planned reconnect after 15m + U(0,30m) flushes acks, closes with 1000 ConnectionExpired and reconnects at once', async (t) => {
  const { fake, timers, acs } = await session(t, { timing: { inactivityMs: 3_600_000, readDeadlineMs: 3_600_000 } });
  acs.start();
  await acs.firstConnection;
  const conn = fake.connections[0]!;
  let closeReason = '';
  conn.socket.on('close', (_code, reason) => (closeReason = reason.toString()));
  const hb = fake.sendHeartbeat();
  await eventually('heartbeat ack', () => conn.frames.find((f) => f.type === 'HeartbeatAckRequest' && f.message['messageId'] === hb));
  timers.advance(29 * 60_000);
  t.equal(conn.closeCode, undefined, 'open after 29 minutes (lifetime is 15m + 15m here)');
  timers.advance(60_001);
  await eventually('closed by the agent', () => conn.closeCode !== undefined);
  t.equal(conn.closeCode, 1000);
  t.equal(closeReason, EXPIRED_CLOSE_REASON);
  await eventually('reconnected without waiting', () => fake.connections.length === 2);
  t.notOk(timers.scheduled.includes(FIRST_BACKOFF), 'no backoff wait');
});

t.test('failed handshakes back off 250ms x1.5 (jitter 0.2); the backoff resets after 60s + U(0,60s) connected', async (t) => {
  const { fake, timers, acs } = await session(t, { timing: { inactivityMs: 3_600_000, readDeadlineMs: 3_600_000 } });
  fake.refuseUpgrades = { status: 500, body: '{"ServerException":"try later"}' };
  acs.start();
  const waits = [250, 375, 562.5].map((b) => b * 1.1);
  for (const [i, w] of waits.entries()) {
    await timers.waitForTimer(w, `backoff wait ${i + 1}`);
    t.equal(fake.refusedUpgrades, i + 1);
    if (i === waits.length - 1) fake.refuseUpgrades = undefined;
    timers.advance(w);
  }
  await acs.firstConnection;
  // A close code outside 1000/1001/1006/1011 is an error: the backoff continues where it was...
  fake.connections[0]!.socket.close(4000, 'odd');
  await timers.waitForTimer(843.75 * 1.1, 'the fourth backoff step');
  timers.advance(843.75 * 1.1);
  await eventually('second connection', () => fake.connections.length === 2);
  // ...until a connection has lasted 60s + 30s.
  timers.advance(90_001);
  fake.connections[1]!.socket.close(4000, 'odd');
  await eventually('closed', () => fake.connections[1]!.closeCode !== undefined);
  await timers.waitForTimer(FIRST_BACKOFF, 'the reset backoff');
});

for (const [form, body] of [
  ['framed', '{"type":"InactiveInstanceException","message":{"message":"instance is inactive"}}'],
  ['unframed', '{"InactiveInstanceException":"instance is inactive"}'],
] as const) {
  t.test(`an InactiveInstanceException handshake (${form} form) waits an hour before the next attempt`, async (t) => {
    const { fake, timers, acs } = await session(t);
    fake.refuseUpgrades = { status: 400, body };
    acs.start();
    await timers.waitForTimer(3_600_000, 'the 1h wait');
    t.equal(fake.refusedUpgrades, 1);
    fake.refuseUpgrades = undefined;
    timers.advance(3_599_000);
    t.equal(fake.connections.length, 0, 'no attempt before the hour is over');
    timers.advance(1000);
    await acs.firstConnection;
    t.equal(fake.connections.length, 1);
  });
}

t.test('after giveUpMs without a connection the session gives up (the agent then exits 1)', async (t) => {
  let gaveUp: BerthError | undefined;
  const { fake, timers, acs } = await session(t, { timing: { giveUpMs: 10 * 60_000 }, onGiveUp: (err) => (gaveUp = err) });
  fake.refuseUpgrades = { status: 503, body: 'unavailable' };
  acs.start();
  const rejected = t.rejects(acs.firstConnection, { code: 'AcsUnreachableError', retriable: true });
  while (!gaveUp) {
    await eventually('a pending wait', () => timers.pendingDurations().length > 0 || gaveUp !== undefined);
    if (gaveUp) break;
    timers.advance(Math.max(...timers.pendingDurations()));
  }
  await rejected;
  t.ok(timers.now() - 1_700_000_000_000 >= 10 * 60_000, 'not before the limit');
});

t.test('a frame that arrives in the same TCP segment as the 101 response is not lost', async (t) => {
  // A hand-written server: the handshake response and a HeartbeatMessage frame go out in one write.
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const { port } = server.address() as AddressInfo;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ endpoint: `http://127.0.0.1:${port}/` }));
    });
  });
  server.on('upgrade', (req, socket: Duplex) => {
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    const payload = Buffer.from(JSON.stringify({ type: 'HeartbeatMessage', message: { messageId: 'first-frame', healthy: true } }));
    const header = Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
    socket.write(Buffer.concat([Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`), header, payload]));
    socket.on('data', (d: Buffer) => received.push(unmask(d)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  const client = new ECSClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-west-2', credentials: { accessKeyId: 'AKIDDUR', secretAccessKey: 'dur-secret' }, maxAttempts: 1 });
  t.teardown(() => client.destroy());
  const acs = new AcsSession({
    client, region: 'us-west-2', credentials: { accessKeyId: 'AKIDDUR', secretAccessKey: 'dur-secret' }, cluster: 'dur-acs', containerInstanceArn: ARN,
    dockerVersion: undefined, clock: new ManualClock(),
    context: { cluster: 'dur-acs', containerInstanceArn: ARN, engine: {} as TaskManager, reporter: {} as Reporter, credentials: new CredentialsStore(), manifest: new ManifestState() },
    log: testLogger(),
  });
  t.teardown(() => acs.close());
  acs.start();
  await acs.firstConnection;
  await eventually('the ack of the first frame', () => received.some((r) => r.includes('"HeartbeatAckRequest"') && r.includes('first-frame')));
  t.pass('acked');
});

/** The text of a masked client frame (small frames only). */
function unmask(d: Buffer): string {
  if (d.length < 6) return '';
  let len = d[1]! & 0x7f;
  let off = 2;
  if (len === 126) {
    len = d.readUInt16BE(2);
    off = 4;
  }
  const mask = d.subarray(off, off + 4);
  const body = d.subarray(off + 4, off + 4 + len);
  return Buffer.from(body.map((b, i) => b ^ mask[i % 4]!)).toString();
}
