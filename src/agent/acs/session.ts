/**
 * The ACS session loop (spec §2.3-§2.5, §4.3): discover, sign, connect, serve, reconnect.
 *   - inactivity timer base + U(0, base), reset by any server frame; expiry closes the socket (backoff)
 *   - close codes 1000/1001/1006/1011 reconnect immediately; other failures after backoff(250ms, 2m, x1.5, j0.2)
 *   - InactiveInstanceException waits 1h
 *   - a malformed frame is logged and ignored; the connection stays up
 */
import WebSocket from 'ws';
import { DiscoverPollEndpointCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { parseServerFrame, encodeFrame, type AgentMessages } from '../../shared/protocol/acs.js';
import { signRequest } from '../../shared/aws/sigv4.js';
import { Backoff, sleep, uniform } from '../../shared/time.js';
import type { Logger } from '../../shared/log.js';
import type { Credentials } from '../api/ecs-api.js';
import { AGENT_HASH, AGENT_VERSION } from '../version.js';
import { buildAcsUrl } from './url.js';
import type { ResponderContext } from './context.js';
import { dispatch } from './dispatch.js';

const NORMAL_CLOSE_CODES = [1000, 1001, 1006, 1011];
const DISCOVER_CACHE_MS = 12 * 3600_000;
const INACTIVE_INSTANCE_WAIT_MS = 3600_000;

export interface AcsSessionOptions {
  client: ECSClient;
  region: string;
  credentials: Credentials;
  cluster: string;
  containerInstanceArn: string;
  dockerVersion: string | undefined;
  inactivityTimeoutMs: number;
  context: Omit<ResponderContext, 'send' | 'log'>;
  log: Logger;
}

class InactiveInstanceError extends Error {}

export class AcsSession {
  private readonly abort = new AbortController();
  private ws: WebSocket | undefined;
  private loop: Promise<void> | undefined;
  private sendCredentials = true;
  private discovered: { endpoint: string; at: number } | undefined;
  private closed = false;
  private connectedOnce!: () => void;
  /** Resolves the first time a connection is established. */
  readonly firstConnection = new Promise<void>((resolve) => (this.connectedOnce = resolve));

  constructor(private readonly opts: AcsSessionOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  private async discover(): Promise<string> {
    const cached = this.discovered;
    if (cached && Date.now() - cached.at < DISCOVER_CACHE_MS) return cached.endpoint;
    try {
      const out = await this.opts.client.send(
        new DiscoverPollEndpointCommand({ containerInstance: this.opts.containerInstanceArn, cluster: this.opts.cluster }),
        { abortSignal: this.abort.signal },
      );
      if (!out.endpoint) throw new Error('DiscoverPollEndpoint returned no endpoint');
      this.discovered = { endpoint: out.endpoint, at: Date.now() };
      return out.endpoint;
    } catch (err) {
      if (cached) return cached.endpoint; // a stale endpoint beats none (§2.2)
      throw err;
    }
  }

  private async run(): Promise<void> {
    const backoff = new Backoff({ minMs: 250, maxMs: 120_000, multiplier: 1.5, jitter: 0.2 });
    while (!this.closed) {
      try {
        const code = await this.connectAndServe(() => backoff.reset());
        if (this.closed) return;
        if (NORMAL_CLOSE_CODES.includes(code)) {
          this.opts.log.info({ code }, 'ACS connection closed; reconnecting');
          continue;
        }
        throw new Error(`ACS connection closed with code ${code}`);
      } catch (err) {
        if (this.closed) return;
        const wait = err instanceof InactiveInstanceError ? INACTIVE_INSTANCE_WAIT_MS : backoff.next();
        this.opts.log.warn({ err, waitMs: Math.round(wait) }, 'ACS connection failed; reconnecting later');
        try {
          await sleep(wait, this.abort.signal);
        } catch {
          return;
        }
      }
    }
  }

  /** Resolves with the close code once the connection ends. */
  private async connectAndServe(onConnected: () => void): Promise<number> {
    const endpoint = await this.discover();
    const url = buildAcsUrl({
      endpoint,
      cluster: this.opts.cluster,
      containerInstanceArn: this.opts.containerInstanceArn,
      agentVersion: AGENT_VERSION,
      agentHash: AGENT_HASH,
      dockerVersion: this.opts.dockerVersion,
      sendCredentials: this.sendCredentials,
    });
    const signUrl = new URL(url.replace(/^ws/, 'http'));
    const headers = await signRequest({ url: signUrl, region: this.opts.region, credentials: this.opts.credentials });
    delete headers['host'];
    const ws = new WebSocket(url, { headers, handshakeTimeout: 30_000, perMessageDeflate: false });
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          const parsed = parseServerFrame(body);
          if (!parsed.ok && parsed.kind === 'error' && parsed.errorType === 'InactiveInstanceException') {
            reject(new InactiveInstanceError(`InactiveInstanceException: ${parsed.message}`));
          } else reject(new Error(`ACS handshake failed: HTTP ${res.statusCode ?? '?'} ${body.slice(0, 200)}`));
        });
      });
    });
    if (this.closed) {
      ws.close(1000);
      return 1000;
    }
    this.sendCredentials = false;
    onConnected();
    this.connectedOnce();
    this.opts.log.info({ url: url.split('?')[0] }, 'ACS connected');
    return this.serve(ws);
  }

  private serve(ws: WebSocket): Promise<number> {
    const log = this.opts.log;
    const send = <K extends keyof AgentMessages & string>(type: K, message: AgentMessages[K]): void => {
      if (ws.readyState === WebSocket.OPEN) ws.send(encodeFrame<AgentMessages, K>(type, message));
    };
    const ctx: ResponderContext = { ...this.opts.context, send, log };
    const base = this.opts.inactivityTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const resetTimer = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        log.warn('ACS connection inactive; closing it');
        ws.terminate();
      }, base + uniform(0, base));
      timer.unref();
    };
    resetTimer();
    return new Promise<number>((resolve) => {
      ws.on('message', (data, isBinary) => {
        resetTimer();
        if (isBinary) return;
        const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
        const parsed = parseServerFrame(text);
        if (!parsed.ok) {
          log.warn({ kind: parsed.kind, detail: parsed.kind === 'malformed' ? parsed.reason : parsed.kind === 'unknown-type' ? parsed.type : parsed.errorType }, 'ACS frame ignored');
          return;
        }
        try {
          dispatch(parsed.envelope, ctx);
        } catch (err) {
          log.error({ err, type: parsed.envelope.type }, 'ACS message handling failed');
        }
      });
      ws.on('error', (err) => log.warn({ err }, 'ACS socket error'));
      ws.on('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  /** Sends a close frame (1000) and stops reconnecting. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort(new Error('ACS session closed'));
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
