/**
 * Small HTTP plumbing for the local endpoints: JSON replies, the caller's address, a token-bucket rate limit
 * (TMDS: 40 rps steady, 60 burst, §8.2) and listening on several addresses with one port.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { realClock, type Clock } from '../../shared/clock.js';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The caller's IP without the IPv4-mapped prefix ("::ffff:172.17.0.2" -> "172.17.0.2"). */
export function callerAddress(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly opts: { ratePerSecond: number; burst: number; clock?: Clock }) {
    this.tokens = opts.burst;
    this.last = (opts.clock ?? realClock).now();
  }

  take(): boolean {
    const now = (this.opts.clock ?? realClock).now();
    this.tokens = Math.min(this.opts.burst, this.tokens + ((now - this.last) / 1000) * this.opts.ratePerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface Listening {
  readonly port: number;
  close(): Promise<void>;
}

function listenOne(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeAll(servers: Server[]): Promise<void> {
  return Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((r) => {
          if (!s.listening) return r();
          s.close(() => r());
          s.closeAllConnections();
        }),
    ),
  ).then(() => undefined);
}

/**
 * Serves `handler` on every host in `hosts` with the same port. With port 0 the first host picks a free port and
 * the others follow; if one of them has that port taken, everything is retried with a new free port.
 */
export async function listenOn(hosts: readonly string[], port: number, handler: RequestListener, timeoutMs = 5000): Promise<Listening> {
  for (let attempt = 0; ; attempt++) {
    const servers: Server[] = [];
    try {
      let bound = port;
      for (const host of hosts) {
        const s = createServer(handler);
        s.requestTimeout = timeoutMs;
        s.headersTimeout = timeoutMs;
        servers.push(s);
        await listenOne(s, bound, host);
        bound = (s.address() as AddressInfo).port;
      }
      let closing: Promise<void> | undefined;
      return { port: bound, close: () => (closing ??= closeAll(servers)) };
    } catch (err) {
      await closeAll(servers);
      if (port !== 0 || attempt >= 5 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
}

/** Reads nothing from the body: every endpoint here is a GET. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
