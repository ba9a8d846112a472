/**
 * A minimal Amazon ECR client: GetAuthorizationToken over AWS JSON 1.1, SigV4-signed (service `ecr`) with the
 * task's execution role credentials or the instance credentials. It is the one ECR call the official agent makes
 * for `registryAuthentication {type: "ecr"}` pulls (§5.4, §10); berth needs no SDK client for it.
 *
 * The endpoint is ecrAuthData.endpointOverride, else AWS_ENDPOINT_URL_ECR / AWS_ENDPOINT_URL (config.ts), else
 * https://api.ecr.<region>.amazonaws.com. Neither the token nor the credentials appear in an error or a log line.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { sleep } from '../../shared/time.js';

export const ECR_TARGET = 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken';

export interface GetAuthorizationTokenOptions {
  /** A base URL; undefined = https://api.ecr.<region>.amazonaws.com. */
  endpoint: string | undefined;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** '' = the default registry of the caller's account (no registryIds sent). */
  registryId: string;
  signal: AbortSignal;
  /** Per attempt; 30s by default. */
  timeoutMs?: number;
  /** Attempts for throttling, 5xx and network failures; 3 by default. */
  tries?: number;
}

/** One authorizationData entry. `authorizationToken` is base64 "<user>:<password>": a secret. */
export interface AuthorizationData {
  authorizationToken: string;
  /** Epoch ms. */
  expiresAt: number;
  proxyEndpoint: string;
}

/** A failed call: `type` is the service's error type (AccessDeniedException, ...) or NetworkError. */
export class EcrApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly retriable: boolean,
  ) {
    super(`${type}: ${message}`);
    this.name = 'EcrApiError';
  }
}

export function ecrEndpoint(endpoint: string | undefined, region: string): string {
  return endpoint ?? `https://api.ecr.${region}.amazonaws.com`;
}

function parseAuthorizationData(parsed: Record<string, unknown>): AuthorizationData {
  const list = parsed['authorizationData'];
  const first: unknown = Array.isArray(list) ? list[0] : undefined;
  const entry = (typeof first === 'object' && first !== null ? first : {}) as Record<string, unknown>;
  const { authorizationToken, expiresAt, proxyEndpoint } = entry;
  if (typeof authorizationToken !== 'string' || authorizationToken === '' || typeof proxyEndpoint !== 'string' || typeof expiresAt !== 'number') {
    throw new EcrApiError('MalformedResponse', 'GetAuthorizationToken answered without authorizationToken, expiresAt and proxyEndpoint', false);
  }
  // AWS JSON 1.1 timestamps are epoch seconds (possibly fractional).
  return { authorizationToken, expiresAt: Math.round(expiresAt * 1000), proxyEndpoint };
}

async function callOnce(opts: GetAuthorizationTokenOptions, url: URL): Promise<AuthorizationData> {
  const body = JSON.stringify(opts.registryId === '' ? {} : { registryIds: [opts.registryId] });
  const signer = new SignatureV4({ credentials: opts.credentials, region: opts.region, service: 'ecr', sha256: Sha256, uriEscapePath: true, applyChecksum: false });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname || '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': ECR_TARGET },
    body,
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k !== 'host' && typeof v === 'string') headers[k] = v;
  const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs ?? 30_000)]);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: 'POST', headers, body, signal });
    text = await res.text();
  } catch (err) {
    if (opts.signal.aborted) throw err;
    throw new EcrApiError('NetworkError', `calling ECR at ${url.origin}: ${(err as Error).message}`, true);
  }
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Reported below without echoing the body (a 200 body holds the token).
  }
  if (res.status !== 200) {
    // "__type" may be namespaced ("com.amazonaws.ecr#InvalidParameterException").
    const type = typeof parsed['__type'] === 'string' ? parsed['__type'].split('#').pop()! : `HTTP${res.status}`;
    const message = typeof parsed['message'] === 'string' ? parsed['message'] : typeof parsed['Message'] === 'string' ? parsed['Message'] : `status ${res.status}`;
    throw new EcrApiError(type, message, res.status >= 500 || type === 'ThrottlingException');
  }
  return parseAuthorizationData(parsed);
}

/** The first authorizationData entry. Throws EcrApiError (or the signal's reason when aborted). */
export async function getAuthorizationToken(opts: GetAuthorizationTokenOptions): Promise<AuthorizationData> {
  const url = new URL(`${ecrEndpoint(opts.endpoint, opts.region).replace(/\/+$/, '')}/`);
  const tries = opts.tries ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await callOnce(opts, url);
    } catch (err) {
      if (!(err instanceof EcrApiError) || !err.retriable || attempt >= tries) throw err;
      await sleep(200 * 2 ** attempt, opts.signal);
    }
  }
}
