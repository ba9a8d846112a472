import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import type { Logger } from '../../shared/log.js';
import { encodeFrame, parseAgentFrame, type ServerMessages } from '../../shared/protocol/acs.js';

export interface AcsSessionOptions {
  ws: WebSocket;
  instanceArn: string;
  heartbeatIntervalMs: number;
  log: Logger;
  /** The agent acknowledged a message it received from us. */
  onAck(messageId: string): void;
  onClose(session: AcsSession): void;
}

/**
 * One ACS websocket to one agent. Sends heartbeats, routes acks, and ignores what it does not understand:
 * a bad frame from the agent is logged and the session stays up (the agent would otherwise reconnect-loop).
 */
export class AcsSession {
  readonly instanceArn: string;
  private readonly ws: WebSocket;
  private readonly log: Logger;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly opts: AcsSessionOptions) {
    this.ws = opts.ws;
    this.instanceArn = opts.instanceArn;
    this.log = opts.log;
    this.heartbeat = setInterval(() => this.sendHeartbeat(), opts.heartbeatIntervalMs);
    this.heartbeat.unref();
    this.ws.on('message', (data, isBinary) => this.onFrame(isBinary ? '' : data.toString()));
    this.ws.on('close', () => this.finish());
    this.ws.on('error', (err) => this.log.debug({ err }, 'acs socket error'));
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  sendRaw(frame: string): void {
    if (this.closed) return;
    this.ws.send(frame);
  }

  send<K extends keyof ServerMessages & string>(type: K, message: ServerMessages[K]): void {
    this.sendRaw(encodeFrame<ServerMessages, K>(type, message));
  }

  /** Sends a close frame; `closed` promise-free on purpose: the hub awaits the socket's close event. */
  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
    this.finish();
  }

  private sendHeartbeat(): void {
    this.send('HeartbeatMessage', { messageId: randomUUID(), healthy: true });
  }

  private onFrame(raw: string): void {
    const parsed = parseAgentFrame(raw);
    if (!parsed.ok) {
      this.log.warn({ kind: parsed.kind, frame: raw.slice(0, 200) }, 'ignoring acs frame from agent');
      return;
    }
    const env = parsed.envelope;
    switch (env.type) {
      case 'AckRequest':
        if (env.message.messageId) this.opts.onAck(env.message.messageId);
        return;
      case 'HeartbeatAckRequest':
        return;
      case 'NackRequest':
        this.log.warn({ messageId: env.message.messageId, reason: env.message.reason }, 'agent nacked a message');
        return;
      default:
        this.log.debug({ type: env.type }, 'acs message from agent not handled');
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.opts.onClose(this);
  }
}
