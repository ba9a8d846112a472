/**
 * The TCS session (spec §2.4, §2.5, §7): discover the telemetry endpoint, sign the upgrade, then publish on a
 * fixed cadence that runs independently of the connection (a tick while disconnected sends nothing).
 *
 *   (start) -> discover -> dial --fail--> wait backoff(1s, 1m, x2, j0.2) --> discover ...
 *                            |
 *                          open -> publish metrics at once -> serve --close--> wait backoff
 *                                                               |
 *                            no Heartbeat / Ack* for 60s + U(0, 60s) -> terminate -> reconnect at once
 *
 * Each tick: PublishMetricsRequest batches (unless ECS_DISABLE_METRICS), PublishHealthRequest batches (unless
 * ECS_DISABLE_DOCKER_HEALTH_CHECK), one PublishInstanceStatusRequest. Ticks never overlap.
 */
import WebSocket from 'ws';
import { signRequest, type CredentialSource } from '../../shared/aws/sigv4.js';
import type { Logger } from '../../shared/log.js';
import { Backoff, uniform } from '../../shared/time.js';
import { sleep } from '../../shared/clock.js';
import { AGENT_HASH, AGENT_VERSION } from '../config/version.js';
import { encodeTcsFrame, parseTcsServerFrame, type TcsAgentMessages, type TcsEnvelope } from '../../shared/protocol/tcs.js';
import { buildTcsUrl } from './url.js';
import { realClock, type TimerHandle } from '../../shared/clock.js';

export interface TelemetryProducer {
  sample(): Promise<void>;
  metrics(): Promise<TcsAgentMessages['PublishMetricsRequest'][]>;
  healthMessages(): Promise<TcsAgentMessages['PublishHealthRequest'][]>;
  instanceStatus(): Promise<TcsAgentMessages['PublishInstanceStatusRequest']>;
}

export interface TcsSessionOptions {
  endpoints: { telemetryEndpoint(signal?: AbortSignal): Promise<string> };
  region: string;
  credentials: CredentialSource;
  cluster: string;
  containerInstanceArn: string;
  dockerVersion: string | undefined;
  producer: TelemetryProducer;
  publishMetrics: boolean;
  publishHealth: boolean;
  /** 20s like the official agent; tests shorten it. */
  publishIntervalMs?: number;
  /** ECS_POLL_METRICS: sample on this period between publishes. */
  pollIntervalMs?: number | undefined;
  /** Base of the keepalive timer (60s): expiry after base + U(0, base) without a Heartbeat or Ack. */
  heartbeatTimeoutMs?: number;
  /** Told about every frame sent and received (Prometheus counters). */
  onFrame?: (direction: 'sent' | 'received', type: string) => void;
  log: Logger;
}

export class TcsSession {
  private readonly abort = new AbortController();
  private readonly backoff = new Backoff({ minMs: 1000, maxMs: 60_000, multiplier: 2, jitter: 0.2 });
  private ws: WebSocket | undefined;
  private url: string | undefined;
  private loop: Promise<void> | undefined;
  private ticker: TimerHandle | undefined;
  private poller: TimerHandle | undefined;
  private ticking: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly opts: TcsSessionOptions) {}

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
    this.ticker = realClock.setInterval(() => this.tick(true), this.opts.publishIntervalMs ?? 20_000);
    if (this.opts.pollIntervalMs !== undefined && this.opts.publishMetrics) {
      this.poller = realClock.setInterval(() => void this.opts.producer.sample().catch((err: unknown) => this.opts.log.warn({ err }, 'stats sample failed')), this.opts.pollIntervalMs);
    }
  }

  /** Runs one publish unless one is still running. `full` adds health and instance status to the metrics. */
  private tick(full: boolean): void {
    if (this.ticking || !this.connected) return;
    this.ticking = this.publish(full)
      .catch((err: unknown) => this.opts.log.warn({ err }, 'TCS publish failed'))
      .finally(() => (this.ticking = undefined));
  }

  private async publish(full: boolean): Promise<void> {
    if (this.opts.publishMetrics) {
      for (const m of await this.opts.producer.metrics()) await this.send({ type: 'PublishMetricsRequest', message: m });
    }
    if (!full) return;
    if (this.opts.publishHealth) {
      for (const m of await this.opts.producer.healthMessages()) await this.send({ type: 'PublishHealthRequest', message: m });
    }
    await this.send({ type: 'PublishInstanceStatusRequest', message: await this.opts.producer.instanceStatus() });
  }

  /** Signs a GET of the ws URL over the JSON and sends header block + blank line + JSON (spec §7). */
  private async send(envelope: TcsEnvelope): Promise<void> {
    const ws = this.ws;
    const url = this.url;
    if (!ws || !url || ws.readyState !== WebSocket.OPEN) return;
    const json = JSON.stringify(envelope);
    const headers = await signRequest({ url: new URL(url.replace(/^ws/, 'http')), region: this.opts.region, credentials: this.opts.credentials, body: json });
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(encodeTcsFrame(headers, json));
    this.opts.onFrame?.('sent', envelope.type);
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      let expired = false;
      try {
        const endpoint = await this.opts.endpoints.telemetryEndpoint(this.abort.signal);
        const url = buildTcsUrl({
          telemetryEndpoint: endpoint,
          cluster: this.opts.cluster,
          containerInstanceArn: this.opts.containerInstanceArn,
          agentVersion: AGENT_VERSION,
          agentHash: AGENT_HASH,
          dockerVersion: this.opts.dockerVersion,
        });
        const ws = await this.dial(url);
        if (this.closed) {
          ws.close(1000);
          return;
        }
        this.ws = ws;
        this.url = url;
        this.opts.log.info({ url: url.split('?')[0] }, 'TCS connected');
        this.tick(false);
        const end = await this.serve(ws);
        expired = end.expired;
        if (end.acked) this.backoff.reset();
        if (this.closed) return;
        this.opts.log.info({ code: end.code, expired }, 'TCS connection closed');
      } catch (err) {
        if (this.closed) return;
        this.opts.log.warn({ err }, 'TCS connection failed');
      }
      if (expired) continue;
      try {
        await sleep(this.backoff.next(), this.abort.signal);
      } catch {
        return;
      }
    }
  }

  private async dial(url: string): Promise<WebSocket> {
    const headers = await signRequest({ url: new URL(url.replace(/^ws/, 'http')), region: this.opts.region, credentials: this.opts.credentials });
    delete headers['host'];
    const ws = new WebSocket(url, { headers, handshakeTimeout: 30_000, perMessageDeflate: false });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => reject(new Error(`TCS handshake failed: HTTP ${res.statusCode ?? '?'} ${body.slice(0, 200)}`)));
        });
      });
    } catch (err) {
      ws.terminate();
      throw err;
    }
    return ws;
  }

  private serve(ws: WebSocket): Promise<{ code: number; expired: boolean; acked: boolean }> {
    const base = this.opts.heartbeatTimeoutMs ?? 60_000;
    let expired = false;
    let acked = false;
    let timer: TimerHandle | undefined;
    const reset = (): void => {
      realClock.clearTimeout(timer);
      timer = realClock.setTimeout(() => {
        expired = true;
        this.opts.log.warn('TCS heartbeat timed out; reconnecting');
        ws.terminate();
      }, base + uniform(0, base));
    };
    reset();
    return new Promise((resolve) => {
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const frame = parseTcsServerFrame(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8'));
        if (frame.kind === 'heartbeat' || frame.kind === 'ack') {
          acked = true;
          reset();
        }
        if (frame.kind === 'malformed') this.opts.log.warn({ reason: frame.reason }, 'TCS frame ignored');
        else this.opts.onFrame?.('received', frame.kind === 'heartbeat' ? 'HeartbeatMessage' : frame.type);
      });
      ws.on('error', (err) => this.opts.log.warn({ err }, 'TCS socket error'));
      ws.on('close', (code) => {
        realClock.clearTimeout(timer);
        if (this.ws === ws) this.ws = undefined;
        resolve({ code, expired, acked });
      });
    });
  }

  /** Stops publishing, sends a close frame and stops reconnecting. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    realClock.clearInterval(this.ticker);
    realClock.clearInterval(this.poller);
    this.abort.abort(new Error('TCS session closed'));
    await this.ticking;
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) {
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      ws.close(1000, 'agent shutting down');
      await Promise.race([closed, sleep(2000).catch(() => undefined)]);
      if ((ws.readyState as number) !== WebSocket.CLOSED) ws.terminate();
    } else ws?.terminate();
    await this.loop;
  }
}
