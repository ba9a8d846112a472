import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import type { Logger } from '../../../shared/log.js';
import { encodeFrame, parseAgentFrame, type ServerMessages, type TaskManifestMessage, type TaskStopVerificationMessage } from '../../../shared/protocol/acs.js';
import { realClock, type TimerHandle } from '../../../shared/clock.js';

export interface AcsSessionOptions {
  ws: WebSocket;
  instanceArn: string;
  heartbeatIntervalMs: number;
  log: Logger;
  /** The agent acknowledged a message it received from us. */
  onAck(messageId: string): void;
  /** IAMRoleCredentialsAckRequest: the agent stored a set of task role credentials. */
  onCredentialsAck?(ack: { messageId?: string; credentialsId?: string }): void;
  onClose(session: AcsSession): void;
  /** After this many heartbeats in a row go unacked, the agent counts as disconnected (default 2). */
  missedHeartbeatLimit?: number;
  /** Period of TaskManifestMessage (0 = none) and the message to send, built at each tick. */
  manifestIntervalMs?: number;
  buildManifest?(): TaskManifestMessage | undefined;
  /** TaskStopVerificationMessage from the agent: the hub answers with a TaskStopVerificationAck. */
  onStopVerification?(msg: TaskStopVerificationMessage): void;
}

/**
 * One ACS websocket to one agent. Sends heartbeats, routes acks, and ignores what it does not understand:
 * a bad frame from the agent is logged and the session stays up (the agent would otherwise reconnect-loop).
 */
export class AcsSession {
  readonly instanceArn: string;
  private readonly ws: WebSocket;
  private readonly log: Logger;
  private readonly heartbeat: TimerHandle;
  private readonly manifest: TimerHandle | undefined;
  private closed = false;
  /** Heartbeats sent since the last HeartbeatAckRequest. */
  private unackedHeartbeats = 0;

  constructor(private readonly opts: AcsSessionOptions) {
    this.ws = opts.ws;
    this.instanceArn = opts.instanceArn;
    this.log = opts.log;
    this.heartbeat = realClock.setInterval(() => this.sendHeartbeat(), opts.heartbeatIntervalMs);
    if (opts.manifestIntervalMs && opts.buildManifest) {
      this.manifest = realClock.setInterval(() => this.sendManifest(), opts.manifestIntervalMs);
    }
    this.ws.on('message', (data, isBinary) => this.onFrame(isBinary ? '' : data.toString()));
    this.ws.on('close', () => this.finish());
    this.ws.on('error', (err) => this.log.debug({ err }, 'acs socket error'));
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Open and acking heartbeats: what DescribeContainerInstances reports as agentConnected. */
  get isResponsive(): boolean {
    return !this.closed && this.unackedHeartbeats <= (this.opts.missedHeartbeatLimit ?? 2);
  }

  private sendManifest(): void {
    const message = this.opts.buildManifest?.();
    if (message) this.send('TaskManifestMessage', message);
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
    this.unackedHeartbeats++;
    if (this.unackedHeartbeats === (this.opts.missedHeartbeatLimit ?? 2) + 1) this.log.warn('agent stopped acking heartbeats; it counts as disconnected');
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
        this.unackedHeartbeats = 0;
        return;
      case 'TaskStopVerificationMessage':
        this.opts.onStopVerification?.(env.message);
        return;
      case 'IAMRoleCredentialsAckRequest':
        this.opts.onCredentialsAck?.({ messageId: env.message.messageId, credentialsId: env.message.credentialsId });
        return;
      case 'NackRequest':
        this.log.warn({ messageId: env.message.messageId, reason: env.message.reason }, 'agent nacked a message');
        return;
      default:
        this.log.debug({ type: (env as { type: string }).type }, 'acs message from agent not handled');
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    realClock.clearInterval(this.heartbeat);
    realClock.clearInterval(this.manifest);
    this.opts.onClose(this);
  }
}
