/**
 * SigV4 for the websocket upgrades (spec §2.5): a GET of the full ws URL, service `ecs`, empty body.
 * The signing itself is @smithy/signature-v4's; this file only shapes the request.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export type CredentialSource = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export interface SignOptions {
  url: URL;
  region: string;
  credentials: CredentialSource;
  /** Body to hash; the ACS upgrade signs the empty string, TCS frames sign the JSON payload (§7). */
  body?: string;
  service?: string;
  now?: Date;
}

/** Returns the headers to send: Authorization, X-Amz-Date, X-Amz-Security-Token (when a session token exists), Host. */
export async function signRequest(opts: SignOptions): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials: opts.credentials,
    region: opts.region,
    service: opts.service ?? 'ecs',
    sha256: Sha256,
    // The query is already encoded once by URLSearchParams; don't double-encode the path.
    uriEscapePath: true,
    applyChecksum: false,
  });
  const query: Record<string, string> = {};
  for (const [k, v] of opts.url.searchParams) query[k] = v;
  const port = opts.url.port ? Number(opts.url.port) : undefined;
  const host = opts.url.host;
  const signed = await signer.sign(
    {
      method: 'GET',
      protocol: opts.url.protocol,
      hostname: opts.url.hostname,
      ...(port === undefined ? {} : { port }),
      path: opts.url.pathname,
      query,
      headers: { host },
      body: opts.body ?? '',
    },
    opts.now ? { signingDate: opts.now } : {},
  );
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) {
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}
