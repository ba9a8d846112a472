import type WebSocket from 'ws';
import type { Logger } from '../../shared/log.js';

/** Which ack answers which publish request (tcs-api-2.json). */
const ACKS: Readonly<Record<string, string>> = {
  PublishMetricsRequest: 'AckPublishMetric',
  PublishHealthRequest: 'AckPublishHealth',
  PublishInstanceStatusRequest: 'AckPublishInstanceStatus',
};

/**
 * Every agent frame is a SigV4 header block, a blank line, then the JSON envelope (spec §7). Returns the
 * envelope's type, or undefined for anything unreadable.
 */
export function tcsFrameType(raw: string): string | undefined {
  const sep = raw.indexOf('\r\n\r\n');
  const json = sep === -1 ? raw : raw.slice(sep + 4);
  try {
    const v: unknown = JSON.parse(json);
    if (typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string') {
      return (v as { type: string }).type;
    }
  } catch {
    // fall through: unreadable frames are ignored
  }
  return undefined;
}

/** Minimal telemetry sink: acknowledges every publish and keeps the agent's inactivity timer fed. */
export function serveTcs(ws: WebSocket, opts: { heartbeatIntervalMs: number; log: Logger }): void {
  const heartbeat = setInterval(() => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'HeartbeatMessage', message: { healthy: true } }));
  }, opts.heartbeatIntervalMs);
  heartbeat.unref();
  ws.on('message', (data, isBinary) => {
    const type = isBinary ? undefined : tcsFrameType(data.toString());
    const ack = type ? ACKS[type] : undefined;
    if (!ack) {
      opts.log.debug({ type }, 'ignoring tcs frame');
      return;
    }
    ws.send(JSON.stringify({ type: ack, message: { message: 'ok' } }));
  });
  ws.on('close', () => clearInterval(heartbeat));
  ws.on('error', (err) => opts.log.debug({ err }, 'tcs socket error'));
}
