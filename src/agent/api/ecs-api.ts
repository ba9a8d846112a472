/**
 * The ECS JSON API as the agent uses it, through @aws-sdk/client-ecs (which signs with SigV4 itself).
 * One client for the agent's lifetime; ECS_BACKEND_HOST overrides the endpoint.
 */
import { randomUUID } from 'node:crypto';
import { ECSClient } from '@aws-sdk/client-ecs';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AgentConfig } from '../config.js';
import { AGENT_VERSION } from '../version.js';

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export function instanceCredentials(config: AgentConfig): Credentials {
  const c = config.credentials;
  if (c) {
    return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
  }
  return fromNodeProviderChain();
}

export function createEcsClient(config: AgentConfig, credentials: Credentials): ECSClient {
  const endpoint = config.backendHost === undefined
    ? undefined
    : /^[a-z]+:\/\//i.test(config.backendHost) ? config.backendHost : `https://${config.backendHost}`;
  const client = new ECSClient({
    region: config.region,
    credentials,
    customUserAgent: `berth-agent/${AGENT_VERSION}`,
    ...(endpoint === undefined ? {} : { endpoint }),
  });
  addRegistrationClientToken(client);
  return client;
}

/**
 * The official agent sends a fresh `clientToken` with every RegisterContainerInstance (transcript 0001);
 * today's SDK model no longer has the member, so it is added to the serialized body before signing.
 */
function addRegistrationClientToken(client: ECSClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const req = args.request as { body?: unknown; headers?: Record<string, string> };
      if (context.commandName === 'RegisterContainerInstanceCommand' && req.body != null && req.headers) {
        // The serialized body is a string or a string-like adapter object, depending on the SDK version.
        const text = req.body instanceof Uint8Array ? Buffer.from(req.body).toString('utf8') : String(req.body as string);
        const body = JSON.parse(text) as Record<string, unknown>;
        const withToken = JSON.stringify({ ...body, clientToken: randomUUID() });
        req.body = withToken;
        for (const h of Object.keys(req.headers)) if (h.toLowerCase() === 'content-length') delete req.headers[h];
        req.headers['content-length'] = String(Buffer.byteLength(withToken));
      }
      return next(args);
    },
    { step: 'build', name: 'berthRegistrationClientToken', priority: 'low' },
  );
}

/** The SDK's error name (`ClientException`, `InvalidParameterException`, ...) or undefined. */
export function awsErrorName(err: unknown): string | undefined {
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}
