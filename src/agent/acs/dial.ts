/**
 * One ACS handshake (spec §2.3-§2.5): sign the URL with SigV4, upgrade, and turn a refused upgrade into a
 * typed error. The response body of a refused upgrade may carry a typed ACS error in either form
 * (`{"type":"InactiveInstanceException","message":{"message":"…"}}` or `{"InactiveInstanceException":"…"}`).
 */
import WebSocket from 'ws';
import { parseServerFrame, type AcsErrorType } from '../../shared/protocol/acs.js';
import { signRequest } from '../../shared/aws/sigv4.js';
import type { Credentials } from '../api/ecs-api.js';

const HANDSHAKE_TIMEOUT_MS = 30_000;

export class AcsHandshakeError extends Error {
  constructor(
    message: string,
    readonly errorType: AcsErrorType | undefined,
    readonly statusCode: number | undefined,
  ) {
    super(message);
    this.name = 'AcsHandshakeError';
  }
}

/** An open socket and the frames that arrived before anyone listened (see dialAcs). */
export interface DialedAcs {
  ws: WebSocket;
  /** Stops buffering and returns what was buffered; call it in the same tick as attaching a 'message' listener. */
  takeEarlyFrames(): { data: WebSocket.RawData; isBinary: boolean }[];
}

/**
 * The control plane sends the desired state right after the upgrade, often in the same TCP segment as the 101
 * response: ws then emits those frames in the very tick it emits 'open', before an awaiting caller can attach a
 * listener. Frames are therefore buffered from the start and handed over with takeEarlyFrames().
 */
export async function dialAcs(opts: { url: string; region: string; credentials: Credentials }): Promise<DialedAcs> {
  const signUrl = new URL(opts.url.replace(/^ws/, 'http'));
  const headers = await signRequest({ url: signUrl, region: opts.region, credentials: opts.credentials });
  delete headers['host'];
  const ws = new WebSocket(opts.url, { headers, handshakeTimeout: HANDSHAKE_TIMEOUT_MS, perMessageDeflate: false });
  const early: { data: WebSocket.RawData; isBinary: boolean }[] = [];
  const buffer = (data: WebSocket.RawData, isBinary: boolean): void => void early.push({ data, isBinary });
  ws.on('message', buffer);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('error', reject);
      res.on('end', () => {
        const parsed = parseServerFrame(body);
        const typed = !parsed.ok && parsed.kind === 'error' ? parsed : undefined;
        const what = typed ? `${typed.errorType}: ${typed.message}` : `HTTP ${res.statusCode ?? '?'} ${body.slice(0, 200)}`;
        reject(new AcsHandshakeError(`ACS handshake failed: ${what}`, typed?.errorType, res.statusCode));
        req.destroy(); // with an 'unexpected-response' listener, ws leaves the request to us
      });
    });
  });
  return {
    ws,
    takeEarlyFrames() {
      ws.off('message', buffer);
      return early.splice(0);
    },
  };
}
