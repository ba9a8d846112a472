/**
 * The ECS JSON API as the agent uses it, through @aws-sdk/client-ecs (which signs with SigV4 itself).
 * One client for the agent's lifetime; ECS_BACKEND_HOST overrides the endpoint.
 *
 * The official v1.72 agent also sends a `clientToken` with RegisterContainerInstance (transcript 0001), but
 * ../shared/models/ecs-service-2.json has no such member, and where the two disagree the model wins (spec
 * preamble). berth sends only model members; the emulator still accepts the token from the official agent.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AgentConfig } from '../config/config.js';
import type { Logger } from '../../shared/log.js';
import { instanceCredentialChain } from '../credentials/instance-chain.js';
import { AGENT_VERSION } from '../config/version.js';

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Static keys from the configuration, else the rotating shared credentials file, else the SDK chain (./credentials.ts). */
export function instanceCredentials(config: AgentConfig, log?: Logger): Credentials {
  const c = config.credentials;
  return instanceCredentialChain({
    static: c
      ? { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) }
      : undefined,
    rotatingFile: config.rotatingCredentialsFile,
    profile: config.credentialProfile,
    refreshMs: config.credentialsRefreshMs,
    ...(log ? { log } : {}),
  });
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
  return client;
}

/** The SDK's error name (`ClientException`, `InvalidParameterException`, ...) or undefined. */
export function awsErrorName(err: unknown): string | undefined {
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}
