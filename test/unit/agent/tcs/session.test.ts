import t from 'tap';
import type { Test } from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { TcsSession, type TelemetryProducer } from '../../../../src/agent/tcs/session.js';
import { metricsRequests, instanceStatusRequest, healthRequests } from '../../../../src/agent/tcs/messages.js';
import { signRequest } from '../../../../src/shared/aws/sigv4.js';
import { waitUntil } from '../../../kit/wait.js';
import { silentLogger } from '../../../../src/shared/log.js';

const CREDS = { accessKeyId: 'AKIDTCS', secretAccessKey: 'tcs-secret' };
const IDENT = { cluster: 'tcs-session', containerInstance: 'arn:aws:ecs:us-east-1:0:container-instance/tcs-session/abc' };

interface Received {
  conn: number;
  headers: Record<string, string>;
  json: string;
  type: string;
}

/** A fake TCS server: records upgrade requests and frames, acks publishes unless told not to. */
async function fakeTcs(t: Test, opts: { ack: boolean }): Promise<{ url: string; upgrades: IncomingMessage[]; frames: Received[]; sockets: WebSocket[] }> {
  const upgrades: IncomingMessage[] = [];
  const frames: Received[] = [];
  const sockets: WebSocket[] = [];
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((_req, res) => res.end());
  server.on('upgrade', (req, socket, head) => {
    upgrades.push(req);
    const conn = upgrades.length;
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.push(ws);
      ws.on('message', (data) => {
        const text = data.toString();
        const sep = text.indexOf('\r\n\r\n');
        const headers = Object.fromEntries(text.slice(0, sep).split('\r\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
        const json = text.slice(sep + 4);
        const type = (JSON.parse(json) as { type: string }).type;
        frames.push({ conn, headers, json, type });
        const ack = { PublishMetricsRequest: 'AckPublishMetric', PublishHealthRequest: 'AckPublishHealth', PublishInstanceStatusRequest: 'AckPublishInstanceStatus' }[type];
        if (opts.ack && ack) ws.send(JSON.stringify({ type: ack, message: { message: 'ok' } }));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(async () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tcs/`, upgrades, frames, sockets };
}

function producer(): TelemetryProducer {
  const ctx = { ...IDENT, now: Date.now(), newId: () => 'm' };
  return {
    sample: async () => undefined,
    metrics: async () => metricsRequests({ ...ctx, now: Date.now() }, []),
    healthMessages: async () => healthRequests({ ...ctx, now: Date.now() }, [{ taskArn: 'a', taskDefinitionFamily: 'f', taskDefinitionVersion: '1', containers: [{ containerName: 'c', healthStatus: 'HEALTHY', statusSince: 1 }] }]),
    instanceStatus: async () => instanceStatusRequest({ ...ctx, now: Date.now() }, [{ type: 'ContainerRuntime', status: 'OK', lastUpdated: 1, lastStatusChange: 1 }]),
  };
}

const until = <T>(what: string, probe: () => T | undefined, ms = 5000): Promise<T> => waitUntil(what, probe, { timeoutMs: ms, intervalMs: 5 });

function session(t: Test, url: string, extra: Partial<ConstructorParameters<typeof TcsSession>[0]> = {}): TcsSession {
  const s = new TcsSession({
    endpoints: { telemetryEndpoint: async () => url },
    region: 'us-east-1',
    credentials: CREDS,
    cluster: IDENT.cluster,
    containerInstanceArn: IDENT.containerInstance,
    dockerVersion: '20.10.24+dfsg1',
    producer: producer(),
    publishMetrics: true,
    publishHealth: true,
    publishIntervalMs: 100,
    log: silentLogger(),
    ...extra,
  });
  t.teardown(() => s.close());
  s.start();
  return s;
}

t.test('the agent dials /ws with the §2.4 query, signs the upgrade, and signs every frame over its JSON', async (t) => {
  const srv = await fakeTcs(t, { ack: true });
  session(t, srv.url);
  await until('metrics, health and instance status frames', () =>
    ['PublishMetricsRequest', 'PublishHealthRequest', 'PublishInstanceStatusRequest'].every((ty) => srv.frames.some((f) => f.type === ty)) || undefined);
  const up = srv.upgrades[0]!;
  const u = new URL(up.url!, 'http://x');
  t.equal(u.pathname, '/tcs/ws');
  t.same([...u.searchParams.keys()], ['agentHash', 'agentVersion', 'cluster', 'containerInstance', 'dockerVersion']);
  t.equal(u.searchParams.get('dockerVersion'), '20.10.24+dfsg1');
  t.match(up.headers['authorization'], /^AWS4-HMAC-SHA256 Credential=AKIDTCS\/\d{8}\/us-east-1\/ecs\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/);
  const first = srv.frames[0]!;
  t.equal(first.type, 'PublishMetricsRequest', 'metrics go out as soon as the socket opens');
  t.same(Object.keys(first.headers), ['Authorization', 'Host', 'X-Amz-Date'], 'the header block of the transcript frames');
  const d = first.headers['X-Amz-Date']!;
  const when = new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`);
  const resigned = await signRequest({ url: new URL(`http://${first.headers['Host']}${up.url}`), region: 'us-east-1', credentials: CREDS, body: first.json, now: when });
  t.equal(first.headers['Authorization'], resigned['authorization'], 'the frame signature covers the JSON body');
  const unsigned = await signRequest({ url: new URL(`http://${first.headers['Host']}${up.url}`), region: 'us-east-1', credentials: CREDS, now: when });
  t.not(first.headers['Authorization'], unsigned['authorization']);
});

t.test('without heartbeats or acks the keepalive timer drops the connection and the agent reconnects at once', async (t) => {
  const srv = await fakeTcs(t, { ack: false });
  session(t, srv.url, { heartbeatTimeoutMs: 100 });
  await until('a second connection', () => srv.upgrades.length >= 2 || undefined, 3000);
  t.pass(`reconnected (${srv.upgrades.length} connections)`);
});

t.test('acks keep the connection; a server close leads to a reconnect after backoff', async (t) => {
  const srv = await fakeTcs(t, { ack: true });
  session(t, srv.url, { heartbeatTimeoutMs: 300 });
  // 12 ticks of 100ms outlast the 300-600ms keepalive timer: only the acks can have kept the socket up.
  await until('a dozen acked publishes', () => srv.frames.filter((f) => f.type === 'PublishInstanceStatusRequest').length >= 12 || undefined);
  t.equal(srv.upgrades.length, 1, 'acks reset the keepalive timer');
  srv.sockets[0]!.close(1000, 'bye');
  await until('a reconnect', () => srv.upgrades.length >= 2 || undefined, 4000);
  await until('frames on the new connection', () => srv.frames.some((f) => f.conn === 2) || undefined);
  t.pass('published again after reconnecting');
});

t.test('ECS_DISABLE_METRICS and ECS_DISABLE_DOCKER_HEALTH_CHECK leave out their messages', async (t) => {
  const srv = await fakeTcs(t, { ack: true });
  session(t, srv.url, { publishMetrics: false, publishHealth: false });
  await until('instance status twice', () => srv.frames.filter((f) => f.type === 'PublishInstanceStatusRequest').length >= 2 || undefined);
  t.same([...new Set(srv.frames.map((f) => f.type))], ['PublishInstanceStatusRequest']);
});

t.test('close() sends a close frame and is idempotent', async (t) => {
  const srv = await fakeTcs(t, { ack: true });
  const s = session(t, srv.url);
  await until('connected', () => s.connected || undefined);
  const closed = new Promise<number>((r) => srv.sockets[0]!.once('close', (code) => r(code)));
  await Promise.all([s.close(), s.close()]);
  t.equal(await closed, 1000);
  t.equal(s.connected, false);
});

t.test('ECS_POLL_METRICS samples on its own period between publishes', async (t) => {
  const srv = await fakeTcs(t, { ack: true });
  let samples = 0;
  const p = producer();
  session(t, srv.url, { publishIntervalMs: 10_000, pollIntervalMs: 30, producer: { ...p, sample: async () => void samples++ } });
  await until('several polls', () => samples >= 3 || undefined);
  t.ok(srv.frames.filter((f) => f.type === 'PublishMetricsRequest').length <= 1, 'polling does not publish');
});
