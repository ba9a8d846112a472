/**
 * A minimal SSM Parameter Store client: GetParameters over AWS JSON 1.1, SigV4-signed (service `ssm`) with the
 * task's execution role credentials, WithDecryption true. It is what the official agent's ssmsecret resource
 * calls for container secrets, with up to 10 names per call (the API's limit).
 *
 * The endpoint is AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL when set (config.ts), else the region's public
 * endpoint. Neither the parameter values nor the credentials ever appear in an error or a log line.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { sleep } from '../../shared/time.js';
import type { SigningCredentials } from './secrets-manager.js';

/** GetParameters accepts at most this many names per call. */
export const SSM_MAX_NAMES = 10;

export interface GetParametersOptions {
  /** A base URL; undefined = https://ssm.<region>.amazonaws.com. */
  endpoint: string | undefined;
  region: string;
  credentials: SigningCredentials;
  /** Names or ARNs, at most SSM_MAX_NAMES. */
  names: readonly string[];
  signal: AbortSignal;
  /** Per attempt; 30s by default. */
  timeoutMs?: number;
  /** Attempts for throttling, 5xx and network failures; 3 by default. */
  tries?: number;
}

export interface GetParametersResult {
  /** By the name each parameter was asked for (a name or an ARN), and by its ARN. */
  values: Map<string, string>;
  /** Names Parameter Store does not know (answered in InvalidParameters, not as an error). */
  invalid: string[];
}

/** A failed call: `type` is the service's error type (AccessDeniedException, ...) or NetworkError. */
export class SsmError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly retriable: boolean,
  ) {
    super(`${type}: ${message}`);
    this.name = 'SsmError';
  }
}

export function ssmEndpoint(endpoint: string | undefined, region: string): string {
  return endpoint ?? `https://ssm.${region}.amazonaws.com`;
}

const TARGET = 'AmazonSSM.GetParameters';

async function callOnce(opts: GetParametersOptions, url: URL): Promise<GetParametersResult> {
  const body = JSON.stringify({ Names: opts.names, WithDecryption: true });
  const signer = new SignatureV4({ credentials: opts.credentials, region: opts.region, service: 'ssm', sha256: Sha256, uriEscapePath: true, applyChecksum: false });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname || '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET },
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
    throw new SsmError('NetworkError', `calling SSM at ${url.origin}: ${(err as Error).message}`, true);
  }
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Reported below without echoing the body.
  }
  if (res.status !== 200) {
    // "__type" may be namespaced ("com.amazonaws.ssm#ValidationException").
    const type = typeof parsed['__type'] === 'string' ? parsed['__type'].split('#').pop()! : `HTTP${res.status}`;
    const message = typeof parsed['message'] === 'string' ? parsed['message'] : typeof parsed['Message'] === 'string' ? parsed['Message'] : `status ${res.status}`;
    throw new SsmError(type, message, res.status >= 500 || type === 'ThrottlingException');
  }
  const values = new Map<string, string>();
  const parameters = Array.isArray(parsed['Parameters']) ? (parsed['Parameters'] as Record<string, unknown>[]) : [];
  for (const p of parameters) {
    if (typeof p?.['Value'] !== 'string') continue;
    if (typeof p['Name'] === 'string') values.set(p['Name'], p['Value']);
    if (typeof p['ARN'] === 'string') values.set(p['ARN'], p['Value']);
  }
  const invalid = Array.isArray(parsed['InvalidParameters']) ? parsed['InvalidParameters'].filter((n): n is string => typeof n === 'string') : [];
  return { values, invalid };
}

/** One GetParameters call (retried on throttling, 5xx and network failures). Throws SsmError. */
export async function getParameters(opts: GetParametersOptions): Promise<GetParametersResult> {
  if (opts.names.length === 0 || opts.names.length > SSM_MAX_NAMES) throw new RangeError(`GetParameters takes 1 to ${SSM_MAX_NAMES} names`);
  const url = new URL(`${ssmEndpoint(opts.endpoint, opts.region)}/`);
  const tries = opts.tries ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await callOnce(opts, url);
    } catch (err) {
      if (!(err instanceof SsmError) || !err.retriable || attempt >= tries) throw err;
      await sleep(200 * 2 ** attempt, opts.signal);
    }
  }
}
