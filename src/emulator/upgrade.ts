import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { clusterName } from '../shared/aws/arn.js';
import type { Logger } from '../shared/log.js';
import type { AcsHub } from './ecs/acs/hub.js';
import type { EcsStore } from './ecs/store.js';
import { serveTcs } from './ecs/tcs/session.js';
import type { TelemetryStore } from './ecs/tcs/telemetry.js';

/** Writes an HTTP error on a socket that asked to upgrade, in the ACS error form the agent decodes (§2.5). */
function reject(socket: Duplex, status: number, type: string, message: string): void {
  const body = JSON.stringify({ type, message: { message } });
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Bad Request'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export interface UpgradeDeps {
  wss: WebSocketServer;
  hub: AcsHub;
  store: EcsStore;
  log: Logger;
  heartbeatIntervalMs: number;
  /** Where TCS publishes are kept (optional: without it they are only acknowledged). */
  telemetry?: TelemetryStore;
}

/** `/acs/ws` and `/tcs/ws` on the API port. Authorization headers are accepted without checking. */
export function handleUpgrade(deps: UpgradeDeps, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const q = url.searchParams;
  if (url.pathname === '/acs/ws') {
    const cluster = deps.store.getCluster(clusterName(q.get('clusterArn') ?? 'default'));
    if (!cluster) return reject(socket, 400, 'InvalidClusterException', 'Cluster not found.');
    const instance = deps.store.getInstance(q.get('containerInstanceArn') ?? '');
    if (!instance || instance.cluster !== cluster.name) {
      return reject(socket, 400, 'InvalidInstanceException', 'Container instance not found in cluster.');
    }
    const sendCredentials = q.get('sendCredentials') !== 'false';
    deps.wss.handleUpgrade(req, socket, head, (ws) => deps.hub.attach(ws, instance, { sendCredentials }));
    return;
  }
  if (url.pathname === '/tcs/ws') {
    deps.wss.handleUpgrade(req, socket, head, (ws) =>
      serveTcs(ws, {
        heartbeatIntervalMs: deps.heartbeatIntervalMs,
        log: deps.log.child({ tcs: q.get('containerInstance') }),
        ...(deps.telemetry ? { telemetry: deps.telemetry } : {}),
        instanceArn: q.get('containerInstance') ?? '',
      }),
    );
    return;
  }
  reject(socket, 404, 'BadRequestException', `No websocket endpoint at ${url.pathname}`);
}
