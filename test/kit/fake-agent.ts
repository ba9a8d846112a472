import WebSocket from 'ws';
import type { PayloadMessage } from '../../src/shared/protocol/acs.js';
import { eventually } from './emulator.js';

export interface Frame {
  type: string;
  message: Record<string, unknown>;
}

/**
 * A scripted agent on the ACS socket: records every server frame, answers heartbeats, and acks payloads
 * only when told to (so tests can leave some unacked).
 */
export class FakeAgent {
  readonly frames: Frame[] = [];
  private consumed = 0;
  closedWith: number | undefined;

  private constructor(
    private readonly ws: WebSocket,
    readonly cluster: string,
    readonly instanceArn: string,
  ) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      if (frame.type === 'HeartbeatMessage') this.send('HeartbeatAckRequest', { messageId: frame.message['messageId'] });
    });
    ws.on('close', (code) => (this.closedWith = code));
  }

  static async connect(baseUrl: string, cluster: string, instanceArn: string): Promise<FakeAgent> {
    const q = new URLSearchParams({
      agentHash: 'fake',
      agentVersion: '1.72.0',
      clusterArn: cluster,
      containerInstanceArn: instanceArn,
      dockerVersion: 'DockerVersion: 24.0.0',
      protocolVersion: '2',
      sendCredentials: 'true',
      seqNum: '1',
    });
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/acs/ws?${q.toString()}`, {
      headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecs/aws4_request' },
    });
    const agent = new FakeAgent(ws, cluster, instanceArn);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return agent;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(type: string, message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ type, message }));
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  ack(messageId: string | undefined): void {
    this.send('AckRequest', { cluster: this.cluster, containerInstance: this.instanceArn, messageId });
  }

  /** The next PayloadMessage not returned before. */
  async nextPayload(timeoutMs = 5000): Promise<PayloadMessage> {
    return eventually(() => {
      for (let i = this.consumed; i < this.frames.length; i++) {
        const f = this.frames[i]!;
        if (f.type === 'PayloadMessage') {
          this.consumed = i + 1;
          return f.message as PayloadMessage;
        }
      }
      return undefined;
    }, timeoutMs);
  }

  payloads(): PayloadMessage[] {
    return this.frames.filter((f) => f.type === 'PayloadMessage').map((f) => f.message as PayloadMessage);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000, 'bye');
    });
  }
}
