/**
 * One AWS JSON 1.1 call, SigV4-signed with @smithy/signature-v4 and retried on throttling, 5xx and network
 * failures: the shape of the few non-ECS calls the agent makes (Secrets Manager, SSM Parameter Store, ECR), each
 * a single operation that needs no SDK client of its own. Response bodies are never echoed into errors: a 200
 * body holds a secret or a token, and error bodies are reduced to their type and message.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { sleep } from '../../shared/clock.js';

/** The caller's error type (SecretsManagerError, SsmError, EcrApiError): `retriable` decides the retry. */
export type AwsJsonErrorFactory = (type: string, message: string, retriable: boolean) => Error & { readonly retriable: boolean };

export interface AwsJsonCall {
  /** The SigV4 signing name (secretsmanager, ssm, ecr). */
  service: string;
  /** The service as messages name it ("Secrets Manager"). */
  label: string;
  /** X-Amz-Target. */
  target: string;
  /** Base URL of the endpoint. */
  endpoint: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  body: Record<string, unknown>;
  signal: AbortSignal;
  error: AwsJsonErrorFactory;
  /** Per attempt; 30 s by default. */
  timeoutMs?: number | undefined;
  /** Attempts for throttling, 5xx and network failures; 3 by default. */
  tries?: number | undefined;
}

async function callOnce(call: AwsJsonCall, url: URL): Promise<Record<string, unknown>> {
  const body = JSON.stringify(call.body);
  const signer = new SignatureV4({ credentials: call.credentials, region: call.region, service: call.service, sha256: Sha256, uriEscapePath: true, applyChecksum: false });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname || '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': call.target },
    body,
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k !== 'host' && typeof v === 'string') headers[k] = v;
  const signal = AbortSignal.any([call.signal, AbortSignal.timeout(call.timeoutMs ?? 30_000)]);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: 'POST', headers, body, signal });
    text = await res.text();
  } catch (err) {
    if (call.signal.aborted) throw err;
    throw call.error('NetworkError', `calling ${call.label} at ${url.origin}: ${(err as Error).message}`, true);
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
    throw call.error(type, message, res.status >= 500 || type === 'ThrottlingException');
  }
  return parsed;
}

/** The parsed 200 body. Throws the caller's error type (or the signal's reason when aborted). */
export async function callAwsJson(call: AwsJsonCall): Promise<Record<string, unknown>> {
  const url = new URL(`${call.endpoint.replace(/\/+$/, '')}/`);
  const tries = call.tries ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await callOnce(call, url);
    } catch (err) {
      const retriable = (err as { retriable?: unknown }).retriable === true;
      if (call.signal.aborted || !retriable || attempt >= tries) throw err;
      await sleep(200 * 2 ** attempt, call.signal);
    }
  }
}
