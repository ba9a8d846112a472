/**
 * A minimal Secrets Manager client: GetSecretValue over AWS JSON 1.1, SigV4-signed (service `secretsmanager`)
 * with the task's execution role credentials. It is what the official agent's ASM auth resource does for
 * per-container registry credentials (§5.6); berth needs no SDK client for one call.
 *
 * The endpoint is AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL when set (config.ts), else the region's
 * public endpoint. Neither the secret value nor the credentials ever appear in an error or a log line.
 */
import { callAwsJson } from './aws-json.js';

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

/** The secret's SecretString. Throws SecretsManagerError (or the signal's reason when aborted). */
export async function getSecretValue(opts: GetSecretValueOptions): Promise<string> {
  const parsed = await callAwsJson({
    service: 'secretsmanager',
    label: 'Secrets Manager',
    target: TARGET,
    endpoint: secretsManagerEndpoint(opts.endpoint, opts.region),
    region: opts.region,
    credentials: opts.credentials,
    body: {
      SecretId: opts.secretId,
      ...(opts.versionStage ? { VersionStage: opts.versionStage } : {}),
      ...(opts.versionId ? { VersionId: opts.versionId } : {}),
    },
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
    tries: opts.tries,
    error: (type, message, retriable) => new SecretsManagerError(type, message, retriable),
  });
  if (typeof parsed['SecretString'] !== 'string') {
    throw new SecretsManagerError('InvalidSecret', `secret ${opts.secretId} has no SecretString`, false);
  }
  return parsed['SecretString'];
}
