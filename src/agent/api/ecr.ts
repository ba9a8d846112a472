/**
 * A minimal Amazon ECR client: GetAuthorizationToken over AWS JSON 1.1, SigV4-signed (service `ecr`) with the
 * task's execution role credentials or the instance credentials. It is the one ECR call the official agent makes
 * for `registryAuthentication {type: "ecr"}` pulls (§5.4, §10); berth needs no SDK client for it.
 *
 * The endpoint is ecrAuthData.endpointOverride, else AWS_ENDPOINT_URL_ECR / AWS_ENDPOINT_URL (config.ts), else
 * https://api.ecr.<region>.amazonaws.com. Neither the token nor the credentials appear in an error or a log line.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { callAwsJson } from './aws-json.js';

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

/** The first authorizationData entry. Throws EcrApiError (or the signal's reason when aborted). */
export async function getAuthorizationToken(opts: GetAuthorizationTokenOptions): Promise<AuthorizationData> {
  const parsed = await callAwsJson({
    service: 'ecr',
    label: 'ECR',
    target: ECR_TARGET,
    endpoint: ecrEndpoint(opts.endpoint, opts.region),
    region: opts.region,
    credentials: opts.credentials,
    body: opts.registryId === '' ? {} : { registryIds: [opts.registryId] },
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
    tries: opts.tries,
    error: (type, message, retriable) => new EcrApiError(type, message, retriable),
  });
  return parseAuthorizationData(parsed);
}
