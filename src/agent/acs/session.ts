/**
 * The ACS session loop (spec §2.3-§2.5, §4.3): discover, sign, connect, serve, reconnect.
 *
 *   (start) -> discover -> dial --fail--> wait (backoff | 1h InactiveInstance) --> discover ...
 *                            |
 *                          open --> serve --close--> wait (0 for 1000/1001/1006/1011 from the server or our
 *                                     |                     planned expiry; backoff for inactivity/deadline)
 *   timers while open (all on the injected Clock):
 *     inactivity   base + U(0, base), reset by any server frame -> terminate (backoff)
 *     read deadline 3 min, extended by any server frame          -> terminate (backoff)
 *     lifetime     15m + U(0, 30m) -> flush acks, close 1000 "ConnectionExpired: Reconnect to continue"
 *     backoff reset after 60s + U(0, 60s) of continuous connection
 *
 * A malformed frame is logged and ignored; the connection stays up. sendCredentials=true is asked for only
 * until the first connection succeeds. After `giveUpMs` without a connection the session gives up (the agent
 * exits 1 and its supervisor restarts it); a 1h InactiveInstanceException wait does not count.
 */
import WebSocket from 'ws';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { PollEndpointCache } from '../api/poll-endpoints.js';
import { parseServerFrame, encodeFrame, type AgentMessages } from '../../shared/protocol/acs.js';
import { BerthError } from '../../shared/errors.js';
import { Backoff, uniform } from '../../shared/time.js';
import type { Logger } from '../../shared/log.js';
import type { Credentials } from '../api/ecs-api.js';
import { AGENT_HASH, AGENT_VERSION } from '../config/version.js';
import { buildAcsUrl } from './url.js';
import type { ResponderContext } from './responders/context.js';
import { dispatch } from './dispatch.js';
import { AcsHandshakeError, dialAcs, type DialedAcs } from './dial.js';
import { reconnectDelay, type CloseCause, type ConnectionEnd } from './reconnect.js';
import { Deadline, expiresIn, realClock, sleep, type Clock } from '../../shared/clock.js';

const FLUSH_WAIT_MS = 2000;
export const EXPIRED_CLOSE_REASON = 'ConnectionExpired: Reconnect to continue';

/** §4.3 values; berth reads the inactivity base and give-up limit from config, tests shorten the rest. */
export interface AcsTiming {
  inactivityMs: number;
  readDeadlineMs: number;
  lifetimeMs: number;
  lifetimeJitterMs: number;
  backoffResetMs: number;
  /** 0 = never give up. */
  giveUpMs: number;
}

export const DEFAULT_ACS_TIMING: AcsTiming = {
  inactivityMs: 60_000,
  readDeadlineMs: 180_000,
  lifetimeMs: 15 * 60_000,
  lifetimeJitterMs: 30 * 60_000,
  backoffResetMs: 60_000,
  giveUpMs: 0,
};

export interface AcsSessionOptions {
  client: ECSClient;
  region: string;
  credentials: Credentials;
  cluster: string;
  containerInstanceArn: string;
  dockerVersion: string | undefined;
  timing?: Partial<AcsTiming>;
  clock?: Clock;
  context: Omit<ResponderContext, 'send' | 'log'>;
  /** The agent's shared DiscoverPollEndpoint cache (12 h, stale on failure); one is made when absent. */
  endpoints?: PollEndpointCache;
  /** Called once when the session gives up (see giveUpMs); the session has stopped by then. */
  onGiveUp?: (err: BerthError) => void;
  log: Logger;
}

export interface AcsHealth {
  connected: boolean;
  /** When `connected` last changed (the session's clock, epoch ms). */
  since: number;
}

export class AcsSession {
  private readonly abort = new AbortController();
  private readonly clock: Clock;
  private readonly timing: AcsTiming;
  private readonly backoff: Backoff;
  private ws: WebSocket | undefined;
  private loop: Promise<void> | undefined;
  private sendCredentials = true;
  private readonly endpoints: PollEndpointCache;
  private closed = false;
  private state: AcsHealth;
  private connectedOnce!: () => void;
  private neverConnected!: (err: Error) => void;
  /** Resolves the first time a connection is established; rejects if the session gives up before. */
  readonly firstConnection = new Promise<void>((resolve, reject) => {
    this.connectedOnce = resolve;
    this.neverConnected = reject;
  });

  constructor(private readonly opts: AcsSessionOptions) {
    this.clock = opts.clock ?? realClock;
    this.timing = { ...DEFAULT_ACS_TIMING, ...opts.timing };
    this.backoff = new Backoff({ minMs: 250, maxMs: 120_000, multiplier: 1.5, jitter: 0.2, random: () => this.clock.random() });
    this.state = { connected: false, since: this.clock.now() };
    this.endpoints =
      opts.endpoints ??
      new PollEndpointCache({
        client: opts.client,
        cluster: opts.cluster,
        containerInstanceArn: opts.containerInstanceArn,
        clock: this.clock,
      });
    this.firstConnection.catch(() => undefined); // callers that do not wait must not see an unhandled rejection
  }

  start(): void {
    this.loop ??= this.run();
  }

  health(): AcsHealth {
    return { ...this.state };
  }

  private setConnected(connected: boolean): void {
    if (this.state.connected !== connected) this.state = { connected, since: this.clock.now() };
  }

  private async discover(): Promise<string> {
    return (await this.endpoints.get(this.abort.signal)).endpoint;
  }

  private async run(): Promise<void> {
    const log = this.opts.log;
    while (!this.closed) {
      let end: ConnectionEnd;
      try {
        end = await this.connectAndServe();
      } catch (err) {
        if (this.closed) return;
        const inactiveInstance = err instanceof AcsHandshakeError && err.errorType === 'InactiveInstanceException';
        end = { kind: 'failed', inactiveInstance };
        log.warn({ err }, 'ACS connection failed');
      }
      if (this.closed) return;
      const wait = reconnectDelay(end, this.backoff);
      const inactive = end.kind === 'failed' && end.inactiveInstance;
      const down = this.clock.now() - this.state.since;
      if (!inactive && this.timing.giveUpMs > 0 && !this.state.connected && down >= this.timing.giveUpMs) {
        this.giveUp(down);
        return;
      }
      if (end.kind === 'closed') log.info({ code: end.code, cause: end.cause, waitMs: Math.round(wait) }, 'ACS connection closed; reconnecting');
      else log.info({ waitMs: Math.round(wait), inactiveInstance: inactive }, 'ACS reconnecting later');
      if (wait > 0) {
        try {
          await sleep(wait, this.abort.signal, this.clock);
        } catch {
          return;
        }
      }
      // The 1h wait of an inactive instance is not "disconnected for too long": count from its end.
      if (inactive) this.state = { connected: false, since: this.clock.now() };
    }
  }

  private giveUp(downMs: number): void {
    const err = new BerthError('AcsUnreachableError', `no ACS connection for ${Math.round(downMs / 1000)}s`);
    this.opts.log.error({ err }, 'giving up on ACS');
    this.closed = true;
    this.neverConnected(err);
    this.opts.onGiveUp?.(err);
  }

  private async connectAndServe(): Promise<ConnectionEnd> {
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
    const dialed = await dialAcs({ url, region: this.opts.region, credentials: this.opts.credentials });
    const ws = dialed.ws;
    this.ws = ws;
    if (this.closed) {
      ws.close(1000, 'agent shutting down');
      return { kind: 'closed', code: 1000, cause: 'expired' };
    }
    this.sendCredentials = false;
    this.setConnected(true);
    this.connectedOnce();
    this.opts.log.info({ url: url.split('?')[0] }, 'ACS connected');
    try {
      return await this.serve(dialed);
    } finally {
      this.setConnected(false);
    }
  }

  private serve(dialed: DialedAcs): Promise<ConnectionEnd> {
    const { ws } = dialed;
    const { log } = this.opts;
    const { clock, timing } = this;
    const send = <K extends keyof AgentMessages & string>(type: K, message: AgentMessages[K]): void => {
      if (ws.readyState === WebSocket.OPEN) ws.send(encodeFrame<AgentMessages, K>(type, message));
    };
    const ctx: ResponderContext = { ...this.opts.context, send, log };
    let cause: CloseCause = 'server';
    const endBy = (why: CloseCause) => (): void => {
      if (cause !== 'server') return;
      cause = why;
      log.warn({ cause: why }, 'ACS connection timed out; closing it');
      ws.terminate();
    };
    const inactivity = new Deadline(clock, endBy('inactive'));
    const readDeadline = new Deadline(clock, endBy('deadline'));
    const armReads = (): void => {
      inactivity.arm(timing.inactivityMs + uniform(0, timing.inactivityMs, () => clock.random()));
      readDeadline.arm(timing.readDeadlineMs);
    };
    const lifetime = clock.setTimeout(() => {
      if (cause !== 'server') return;
      cause = 'expired';
      void this.expire(ws);
    }, timing.lifetimeMs + uniform(0, timing.lifetimeJitterMs, () => clock.random()));
    const backoffReset = clock.setTimeout(() => this.backoff.reset(), timing.backoffResetMs + uniform(0, timing.backoffResetMs, () => clock.random()));
    armReads();
    return new Promise<ConnectionEnd>((resolve) => {
      const onMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
        armReads();
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
      };
      // Same tick: no frame can slip between the handover and the listener.
      const early = dialed.takeEarlyFrames();
      ws.on('message', onMessage);
      for (const f of early) onMessage(f.data, f.isBinary);
      ws.on('error', (err) => log.warn({ err }, 'ACS socket error'));
      ws.on('close', (code) => {
        inactivity.cancel();
        readDeadline.cancel();
        clock.clearTimeout(lifetime);
        clock.clearTimeout(backoffReset);
        resolve({ kind: 'closed', code, cause });
      });
    });
  }

  /** Planned reconnect: let queued acks reach the socket, then close with 1000 (§4.1, §4.3). */
  private async expire(ws: WebSocket): Promise<void> {
    // Real time on purpose: this waits for the socket's own I/O, which a manual clock does not drive.
    const flushed = expiresIn(FLUSH_WAIT_MS, realClock);
    while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount > 0 && !flushed.passed()) {
      await new Promise((r) => setImmediate(r));
    }
    this.opts.log.info('ACS connection expired; reconnecting');
    if (ws.readyState === WebSocket.OPEN) ws.close(1000, EXPIRED_CLOSE_REASON);
  }

  /** Sends a close frame (1000) and stops reconnecting. Idempotent. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.abort.abort(new Error('ACS session closed'));
      const ws = this.ws;
      if (ws && ws.readyState === WebSocket.OPEN) {
        const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
        ws.close(1000, 'agent shutting down');
        await Promise.race([closed, sleep(2000, undefined, realClock)]);
        if ((ws.readyState as number) !== WebSocket.CLOSED) ws.terminate();
      } else ws?.terminate();
    }
    await this.loop;
  }
}
