/**
 * Private registry auth from ECS_ENGINE_AUTH_TYPE / ECS_ENGINE_AUTH_DATA (spec §1.3), keyed by registry:
 *
 *   docker     {"https://index.docker.io/v1/": {"username": "...", "password": "...", "email": "..."}}
 *   dockercfg  {"my.registry:5000": {"auth": "<base64 user:password>", "email": "..."}}
 *
 * The entry whose host matches the image's registry (scheme and path ignored) is sent with the pull.
 *
 * Per-container credentials (ECS repositoryCredentials, registryAuthentication type `asm`, §3.4) take precedence
 * for that container's pull: a Secrets Manager secret {"username","password"} read with the task's execution role
 * (asmRegistryAuth below). Any failure there is CannotPullContainerAuthError and no pull is attempted (§5.6).
 *
 * ECR images (registryAuthentication type `ecr`) pull with an ECR GetAuthorizationToken token, signed with the
 * task's execution role or the instance credentials and cached across tasks (ecrRegistryAuth below); failures
 * are CannotPullECRContainerError.
 */
import { BerthError, errorMessage } from '../../shared/errors.js';
import type { IAMRoleCredentials } from '../../shared/protocol/acs.js';
import { sleep } from '../../shared/clock.js';
import { getSecretValue, SecretsManagerError } from '../api/secrets-manager.js';
import { EcrApiError } from '../api/ecr.js';
import type { EcrTokenCache, EcrTokenRequest } from '../api/ecr-auth.js';
import type { AgentConfig } from '../config/config.js';
import type { RegistryAuth } from '../runtime/runtime.js';
import type { AsmAuthSpec, EcrAuthSpec } from '../model/task.js';
import { realClock } from '../../shared/clock.js';

const DOCKER_HUB = 'index.docker.io';

/** The registry host of an image reference: the first path part when it looks like a host, else Docker Hub. */
export function registryOf(image: string): string {
  const slash = image.indexOf('/');
  if (slash === -1) return DOCKER_HUB;
  const first = image.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') return first === 'docker.io' ? DOCKER_HUB : first;
  return DOCKER_HUB;
}

function hostOf(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  return host === 'registry-1.docker.io' || host === 'docker.io' ? DOCKER_HUB : host;
}

interface AuthEntry {
  username?: unknown;
  password?: unknown;
  email?: unknown;
  auth?: unknown;
}

export function authForImage(image: string, config: Pick<AgentConfig, 'engineAuthType' | 'engineAuthData'>): RegistryAuth | undefined {
  const data = config.engineAuthData;
  if (config.engineAuthType === undefined || data === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.value);
  } catch {
    return undefined; // validated in config; never reached with a loaded config
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const registry = registryOf(image);
  const match = Object.entries(parsed as Record<string, AuthEntry>).find(([key]) => hostOf(key) === registry);
  if (!match) return undefined;
  const [key, entry] = match;
  const email = typeof entry.email === 'string' ? entry.email : undefined;
  if (config.engineAuthType === 'dockercfg') {
    if (typeof entry.auth !== 'string') return undefined;
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i === -1) return undefined;
    return { username: decoded.slice(0, i), password: decoded.slice(i + 1), serveraddress: key, ...(email ? { email } : {}) };
  }
  if (typeof entry.username !== 'string' || typeof entry.password !== 'string') return undefined;
  return { username: entry.username, password: entry.password, serveraddress: key, ...(email ? { email } : {}) };
}

export interface AsmAuthInput {
  image: string;
  auth: AsmAuthSpec;
  /** Whether the task came with execution role credentials at all (TaskSpec.executionCredentialsId). */
  hasExecutionRole: boolean;
  /** The task's current execution role credentials (in memory only; ACS re-sends them after a restart). */
  credentials: () => IAMRoleCredentials | undefined;
  endpoint: string | undefined;
  signal: AbortSignal;
  /** True once the task's desired status is STOPPED: waiting for credentials ends. */
  stopped: () => boolean;
  /** How long to wait for credentials ACS has not delivered yet (§5.4 step 8: 1 minute). */
  credentialsWaitMs?: number;
}

const CREDENTIALS_POLL_MS = 200;

function authError(message: string): BerthError {
  return new BerthError('CannotPullContainerAuthError', message);
}

type CredentialsWait = Pick<AsmAuthInput, 'credentials' | 'signal' | 'stopped' | 'credentialsWaitMs'>;

/** Waits for the execution role credentials (a restarted agent gets them on its first ACS connection). */
async function executionCredentials(input: CredentialsWait, notDelivered: () => BerthError): Promise<IAMRoleCredentials | 'stopped'> {
  const deadline = realClock.now() + (input.credentialsWaitMs ?? 60_000);
  for (;;) {
    const creds = input.credentials();
    if (creds?.accessKeyId && creds.secretAccessKey) return creds;
    if (input.stopped()) return 'stopped';
    if (realClock.now() >= deadline) throw notDelivered();
    await sleep(CREDENTIALS_POLL_MS, input.signal);
  }
}

/**
 * The container's registry credentials from Secrets Manager, for the image's registry. 'stopped' when the task
 * was stopped while waiting for its credentials. The secret's value is returned, never logged or kept.
 */
export async function asmRegistryAuth(input: AsmAuthInput): Promise<RegistryAuth | 'stopped'> {
  const parameter = input.auth.credentialsParameter;
  if (!input.hasExecutionRole) throw authError(`unable to read secret ${parameter}: the task has no execution role (executionRoleArn) to read it with`);
  const creds = await executionCredentials(input, () => authError('unable to find execution role credentials for the task (the execution role credentials were not delivered in time)'));
  if (creds === 'stopped') return creds;
  let text: string;
  try {
    text = await getSecretValue({
      endpoint: input.endpoint,
      region: input.auth.region,
      credentials: { accessKeyId: creds.accessKeyId!, secretAccessKey: creds.secretAccessKey!, sessionToken: creds.sessionToken },
      secretId: parameter,
      signal: input.signal,
    });
  } catch (err) {
    if (input.signal.aborted) throw err;
    throw authError(`fetching secret ${parameter} from Secrets Manager: ${err instanceof SecretsManagerError ? err.message : errorMessage(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw authError(`secret ${parameter} is not JSON with a username and a password`);
  }
  const { username, password } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
    throw authError(`secret ${parameter} must be JSON with a non-empty username and password`);
  }
  return { username, password, serveraddress: registryOf(input.image) };
}

export interface EcrAuthInput extends CredentialsWait {
  image: string;
  auth: EcrAuthSpec;
  /** Whether the task came with execution role credentials at all (TaskSpec.executionCredentialsId). */
  hasExecutionRole: boolean;
  tokens: EcrTokenCache;
}

function ecrError(message: string): BerthError {
  return new BerthError('CannotPullECRContainerError', message);
}

function hostOfUrl(url: string): string {
  return url.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}

/** What identifies an ECR token in the cache: the registry, where to ask, and as whom (no signal). */
export function ecrTokenRequest(auth: EcrAuthSpec, creds: IAMRoleCredentials | undefined): Omit<EcrTokenRequest, 'signal'> {
  return {
    registryId: auth.registryId,
    region: auth.region,
    endpointOverride: auth.endpointOverride,
    executionCredentials: creds && { roleArn: creds.roleArn, accessKeyId: creds.accessKeyId ?? '', secretAccessKey: creds.secretAccessKey ?? '', sessionToken: creds.sessionToken },
  };
}

/**
 * Docker auth for an image in ECR (registryAuthentication type ecr): a GetAuthorizationToken token, signed with
 * the task's execution role when `useExecutionRole`, else with the instance credentials, and cached (EcrTokenCache).
 * Failures are CannotPullECRContainerError; without execution role credentials it is the official agent's
 * "engine ecr credentials: not found" (§5.6). 'stopped' when the task was stopped while waiting for credentials.
 */
export async function ecrRegistryAuth(input: EcrAuthInput): Promise<RegistryAuth | 'stopped'> {
  const { auth } = input;
  let creds: IAMRoleCredentials | undefined;
  if (auth.useExecutionRole) {
    const notFound = (): BerthError => ecrError('engine ecr credentials: not found');
    if (!input.hasExecutionRole) throw notFound();
    const got = await executionCredentials(input, notFound);
    if (got === 'stopped') return got;
    creds = got;
  }
  const request = ecrTokenRequest(auth, creds);
  let got: RegistryAuth;
  try {
    got = await input.tokens.get({ ...request, signal: input.signal });
  } catch (err) {
    if (input.signal.aborted) throw err;
    const where = `registry ${auth.registryId || '(default)'} in ${auth.region}`;
    throw ecrError(`ecr auth: GetAuthorizationToken for ${where}: ${err instanceof EcrApiError ? err.message : errorMessage(err)}`);
  }
  // As the official agent checks: the token must be for the image's registry, or it would go to another host.
  const registry = registryOf(input.image);
  if (hostOfUrl(got.serveraddress ?? '') !== registry) {
    input.tokens.forget(request);
    throw ecrError(`ecr auth: the token's proxyEndpoint ${got.serveraddress ?? '(none)'} is not the registry of ${input.image}`);
  }
  return got;
}
