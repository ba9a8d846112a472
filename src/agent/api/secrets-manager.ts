/**
 * A minimal Secrets Manager client: GetSecretValue over AWS JSON 1.1, SigV4-signed (service `secretsmanager`)
 * with the task's execution role credentials. It is what the official agent's ASM auth resource does for
 * per-container registry credentials (§5.6); berth needs no SDK client for one call.
 *
 * The endpoint is AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL when set (config.ts), else the region's
 * public endpoint. Neither the secret value nor the credentials ever appear in an error or a log line.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { sleep } from '../../shared/time.js';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface GetSecretValueOptions {
  /** A base URL; undefined = https://secretsmanager.<region>.amazonaws.com. */
  endpoint: string | undefined;
  region: string;
  credentials: SigningCredentials;
  secretId: string;
  /** Container secrets may name a version (valueFrom's `:version-stage:version-id` suffix). */
  versionStage?: string | undefined;
  versionId?: string | undefined;
  signal: AbortSignal;
  /** Per attempt; 30s by default. */
  timeoutMs?: number;
  /** Attempts for throttling, 5xx and network failures; 3 by default. */
  tries?: number;
}

/** A failed call: `type` is the service's error type (ResourceNotFoundException, ...) or NetworkError. */
export class SecretsManagerError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly retriable: boolean,
  ) {
    super(`${type}: ${message}`);
    this.name = 'SecretsManagerError';
  }
}

export function secretsManagerEndpoint(endpoint: string | undefined, region: string): string {
  return endpoint ?? `https://secretsmanager.${region}.amazonaws.com`;
}

const TARGET = 'secretsmanager.GetSecretValue';

async function callOnce(opts: GetSecretValueOptions, url: URL): Promise<string> {
  const body = JSON.stringify({
    SecretId: opts.secretId,
    ...(opts.versionStage ? { VersionStage: opts.versionStage } : {}),
    ...(opts.versionId ? { VersionId: opts.versionId } : {}),
  });
  const signer = new SignatureV4({ credentials: opts.credentials, region: opts.region, service: 'secretsmanager', sha256: Sha256, uriEscapePath: true, applyChecksum: false });
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
    throw new SecretsManagerError('NetworkError', `calling Secrets Manager at ${url.origin}: ${(err as Error).message}`, true);
  }
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Reported below without echoing the body.
  }
  if (res.status !== 200) {
    // "__type" may be namespaced ("com.amazonaws.secretsmanager#ResourceNotFoundException").
    const type = typeof parsed['__type'] === 'string' ? parsed['__type'].split('#').pop()! : `HTTP${res.status}`;
    const message = typeof parsed['message'] === 'string' ? parsed['message'] : typeof parsed['Message'] === 'string' ? parsed['Message'] : `status ${res.status}`;
    throw new SecretsManagerError(type, message, res.status >= 500 || type === 'ThrottlingException');
  }
  if (typeof parsed['SecretString'] !== 'string') {
    throw new SecretsManagerError('InvalidSecret', `secret ${opts.secretId} has no SecretString`, false);
  }
  return parsed['SecretString'];
}

/** The secret's SecretString. Throws SecretsManagerError (or the signal's reason when aborted). */
export async function getSecretValue(opts: GetSecretValueOptions): Promise<string> {
  const url = new URL(`${secretsManagerEndpoint(opts.endpoint, opts.region)}/`);
  const tries = opts.tries ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await callOnce(opts, url);
    } catch (err) {
      if (!(err instanceof SecretsManagerError) || !err.retriable || attempt >= tries) throw err;
      await sleep(200 * 2 ** attempt, opts.signal);
    }
  }
}
