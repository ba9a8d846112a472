/**
 * A small recording fake of the ECS API (awsJson1.1 on POST /) and ACS (websocket on /ws) on 127.0.0.1:0.
 * RegisterContainerInstance echoes the attributes and adds ecs.availability-zone; SubmitTaskStateChange
 * bodies, ACS upgrade requests and every frame the agent sends are recorded for assertions.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { waitUntil } from './wait.js';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RecordedRequest {
  operation: string;
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

export interface AcsConnection {
  id: number;
  url: string;
  headers: http.IncomingHttpHeaders;
  socket: WebSocket;
  /** Frames the agent sent, parsed. */
  frames: { type: string; message: Record<string, unknown> }[];
  closeCode: number | undefined;
}

export interface FakeControlPlane {
  url: string;
  requests: RecordedRequest[];
  connections: AcsConnection[];
  /** When true, RegisterContainerInstance changes the value of every valued attribute it echoes. */
  mangleAttributes: boolean;
  /** When set, ACS upgrades are refused with this HTTP status and body (e.g. an InactiveInstanceException). */
  refuseUpgrades: { status: number; body: string } | undefined;
  /** Paths of websocket upgrades this fake does not serve (refused by closing the socket). */
  otherUpgrades: string[];
  /** ACS upgrades refused so far. */
  refusedUpgrades: number;
  /** Operation name -> error to return instead ({__type, message}); removed after use when `once`. */
  failNext(operation: string, type: string, message: string): void;
  /** Sends a raw text frame on the newest open connection. */
  sendRaw(text: string): void;
  send(type: string, message: Record<string, unknown>): void;
  sendPayload(tasks: Record<string, unknown>[]): string;
  sendHeartbeat(): string;
  ofOperation(op: string): RecordedRequest[];
  /** Calls `listener` for every API request as it arrives (benchmarks time reports with it); returns an unsubscribe. */
  onRequest(listener: (r: RecordedRequest) => void): () => void;
  close(): Promise<void>;
}

const REGION = 'us-west-2';
const ACCOUNT = '123456789012';

/** `strictClusters`: only `default` and created clusters exist (to exercise CreateCluster); otherwise any cluster is accepted. */
export async function startFakeControlPlane(opts: { strictClusters?: boolean } = {}): Promise<FakeControlPlane> {
  const requests: RecordedRequest[] = [];
  const connections: AcsConnection[] = [];
  const failures = new Map<string, { type: string; message: string }>();
  const listeners = new Set<(r: RecordedRequest) => void>();
  const clusters = new Set<string>();
  let seq = 0;

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.split('.').pop() ?? '';
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const recorded = { operation, body, headers: req.headers };
      requests.push(recorded);
      for (const l of listeners) l(recorded);
      const reply = (status: number, out: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(out));
      };
      const fail = failures.get(operation);
      if (fail) {
        failures.delete(operation);
        reply(400, { __type: fail.type, message: fail.message });
        return;
      }
      const cluster = String(body['cluster'] ?? 'default');
      switch (operation) {
        case 'RegisterContainerInstance': {
          if (opts.strictClusters && !clusters.has(cluster)) return reply(400, { __type: 'ClientException', message: 'Cluster not found.' });
          const arn = (body['containerInstanceArn'] as string | undefined) ?? `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/${cluster}/${randomUUID().replace(/-/g, '')}`;
          const sent = (body['attributes'] as { name: string; value?: string }[] | undefined) ?? [];
          const echoed = fake.mangleAttributes ? sent.map((a) => (a.value ? { ...a, value: `${a.value}-changed` } : a)) : sent;
          const attributes = [...echoed, { name: 'ecs.availability-zone', value: `${REGION}a` }];
          return reply(200, { containerInstance: { containerInstanceArn: arn, attributes, registeredResources: body['totalResources'], status: 'ACTIVE', agentConnected: false } });
        }
        case 'CreateCluster':
          clusters.add(String(body['clusterName']));
          return reply(200, { cluster: { clusterName: body['clusterName'], clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${String(body['clusterName'])}`, status: 'ACTIVE' } });
        case 'DiscoverPollEndpoint': {
          const { port } = server.address() as AddressInfo;
          return reply(200, { endpoint: `http://127.0.0.1:${port}/`, telemetryEndpoint: `http://127.0.0.1:${port}/tcs/` });
        }
        case 'SubmitTaskStateChange':
          return reply(200, { acknowledgment: 'ACK' });
        default:
          return reply(400, { __type: 'UnknownOperationException', message: `unknown operation ${operation}` });
      }
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/ws')) {
      fake.otherUpgrades.push(req.url ?? ''); // e.g. TCS at /tcs/ws, which this fake does not serve
      return socket.destroy();
    }
    const refuse = fake.refuseUpgrades;
    if (refuse) {
      fake.refusedUpgrades++;
      socket.end(`HTTP/1.1 ${refuse.status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(refuse.body)}\r\nConnection: close\r\n\r\n${refuse.body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: AcsConnection = { id: ++seq, url: req.url ?? '', headers: req.headers, socket: ws, frames: [], closeCode: undefined };
      connections.push(conn);
      ws.on('message', (data) => {
        const parsed = JSON.parse(String(data)) as { type: string; message: Record<string, unknown> };
        conn.frames.push(parsed);
      });
      ws.on('close', (code) => (conn.closeCode = code));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const newest = (): AcsConnection => {
    const open = connections.filter((c) => c.closeCode === undefined);
    const c = open[open.length - 1];
    if (!c) throw new Error('no open ACS connection');
    return c;
  };
  const fake: FakeControlPlane = {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections,
    mangleAttributes: false,
    refuseUpgrades: undefined,
    otherUpgrades: [],
    refusedUpgrades: 0,
    failNext: (op, type, message) => failures.set(op, { type, message }),
    sendRaw: (text) => newest().socket.send(text),
    send: (type, message) => newest().socket.send(JSON.stringify({ type, message })),
    sendPayload(tasks) {
      const messageId = randomUUID();
      fake.send('PayloadMessage', { messageId, seqNum: 1, clusterArn: 'c', containerInstanceArn: 'ci', generatedAt: 1, tasks });
      return messageId;
    },
    sendHeartbeat() {
      const messageId = randomUUID();
      fake.send('HeartbeatMessage', { messageId, healthy: true });
      return messageId;
    },
    ofOperation: (op) => requests.filter((r) => r.operation === op),
    onRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      for (const c of connections) c.socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

/** Polls `probe` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export function eventually<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  return waitUntil(what, probe, { timeoutMs, intervalMs: 50 });
}
