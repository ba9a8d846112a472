/**
 * A minimal SSM Parameter Store client: GetParameters over AWS JSON 1.1, SigV4-signed (service `ssm`) with the
 * task's execution role credentials, WithDecryption true. It is what the official agent's ssmsecret resource
 * calls for container secrets, with up to 10 names per call (the API's limit).
 *
 * The endpoint is AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL when set (config.ts), else the region's public
 * endpoint. Neither the parameter values nor the credentials ever appear in an error or a log line.
 */
import { callAwsJson } from './aws-json.js';
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

/** One GetParameters call (retried on throttling, 5xx and network failures). Throws SsmError. */
export async function getParameters(opts: GetParametersOptions): Promise<GetParametersResult> {
  if (opts.names.length === 0 || opts.names.length > SSM_MAX_NAMES) throw new RangeError(`GetParameters takes 1 to ${SSM_MAX_NAMES} names`);
  const parsed = await callAwsJson({
    service: 'ssm',
    label: 'SSM',
    target: TARGET,
    endpoint: ssmEndpoint(opts.endpoint, opts.region),
    region: opts.region,
    credentials: opts.credentials,
    body: { Names: opts.names, WithDecryption: true },
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
    tries: opts.tries,
    error: (type, message, retriable) => new SsmError(type, message, retriable),
  });
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
