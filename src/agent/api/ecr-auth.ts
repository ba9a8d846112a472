/**
 * ECR registry credentials for pulls, cached like the official agent's ECR auth provider: one token per
 * (region, registry, endpoint, pull identity), where the identity is the execution role ARN or the instance.
 * A token is used until a margin before its expiresAt (30 minutes plus up to 30 minutes of jitter, so tokens do not
 * all refresh at once) and for at most 12 hours; at most 100 entries, least recently used out first (§10).
 * Concurrent pulls that need the same token share one GetAuthorizationToken call.
 *
 * Tokens live in memory only. Neither they nor their decoded passwords are logged or stored.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Logger } from '../../shared/log.js';
import type { RegistryAuth } from '../runtime/runtime.js';
import { EcrApiError, getAuthorizationToken, type AuthorizationData, type GetAuthorizationTokenOptions } from './ecr.js';
import { realClock, type Clock } from '../../shared/clock.js';

export interface EcrTokenRequest {
  registryId: string;
  region: string;
  /** ecrAuthData.endpointOverride; '' or undefined = the configured endpoint. */
  endpointOverride?: string | undefined;
  /** The execution role credentials to sign with; undefined = the instance credentials. */
  executionCredentials?: { roleArn?: string | undefined; accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined } | undefined;
  signal: AbortSignal;
}

export interface EcrTokenCacheOptions {
  /** The credentials the agent uses for the ECS API. */
  instanceCredentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** AWS_ENDPOINT_URL_ECR / AWS_ENDPOINT_URL; undefined = the region's public endpoint. */
  endpoint: string | undefined;
  clock?: Clock;
  /** How long before expiresAt a token is refreshed; 30m + U(0, 30m) by default. */
  refreshMarginMs?: () => number;
  maxEntries?: number;
  /** The ECR call (tests inject a fake). */
  fetchToken?: (opts: GetAuthorizationTokenOptions) => Promise<AuthorizationData>;
  log?: Logger;
}

const MINUTE = 60_000;
const MAX_AGE_MS = 12 * 60 * MINUTE;

interface Entry {
  auth: RegistryAuth;
  refreshAt: number;
}

/** base64 "<user>:<password>" + proxyEndpoint -> Docker's auth for the pull. */
export function decodeAuthorizationToken(data: Pick<AuthorizationData, 'authorizationToken' | 'proxyEndpoint'>): RegistryAuth {
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i <= 0 || i === decoded.length - 1) throw new EcrApiError('MalformedToken', 'the authorization token is not base64 "<user>:<password>"', false);
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1), serveraddress: data.proxyEndpoint };
}

export class EcrTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<RegistryAuth>>();
  private readonly clock: Clock;
  private readonly margin: () => number;
  private readonly fetchToken: (opts: GetAuthorizationTokenOptions) => Promise<AuthorizationData>;
  /** GetAuthorizationToken calls made (metrics, tests). */
  calls = 0;

  constructor(private readonly opts: EcrTokenCacheOptions) {
    this.clock = opts.clock ?? realClock;
    this.margin = opts.refreshMarginMs ?? (() => 30 * MINUTE + Math.random() * 30 * MINUTE);
    this.fetchToken = opts.fetchToken ?? getAuthorizationToken;
  }

  private keyOf(req: Omit<EcrTokenRequest, 'signal'>): string {
    const creds = req.executionCredentials;
    const identity = creds === undefined ? 'instance' : `role:${creds.roleArn || creds.accessKeyId}`;
    return [identity, req.region, req.registryId, req.endpointOverride ?? ''].join('\0');
  }

  /** Docker auth for a pull from the registry; throws EcrApiError (or what the credentials provider threw). */
  get(req: EcrTokenRequest): Promise<RegistryAuth> {
    const key = this.keyOf(req);
    const hit = this.entries.get(key);
    if (hit && this.clock.now() < hit.refreshAt) {
      // Least recently used goes first: a hit moves to the end.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return Promise.resolve({ ...hit.auth });
    }
    if (hit) this.entries.delete(key);
    let p = this.inflight.get(key);
    if (!p) {
      p = this.fetch(key, req).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p.then((auth) => ({ ...auth }));
  }

  /** Drops a token the registry refused, so the next pull asks ECR again. */
  forget(req: Omit<EcrTokenRequest, 'signal'>): void {
    this.entries.delete(this.keyOf(req));
  }

  get size(): number {
    return this.entries.size;
  }

  private async fetch(key: string, req: EcrTokenRequest): Promise<RegistryAuth> {
    const creds = req.executionCredentials;
    this.calls++;
    const data = await this.fetchToken({
      endpoint: req.endpointOverride || this.opts.endpoint,
      region: req.region,
      credentials: creds === undefined
        ? this.opts.instanceCredentials
        : { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}) },
      registryId: req.registryId,
      signal: req.signal,
    });
    const auth = decodeAuthorizationToken(data);
    const fetchedAt = this.clock.now();
    const refreshAt = Math.min(fetchedAt + MAX_AGE_MS, data.expiresAt - this.margin());
    if (refreshAt > fetchedAt) {
      this.entries.set(key, { auth, refreshAt });
      const max = this.opts.maxEntries ?? 100;
      while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value!);
    }
    this.opts.log?.debug({ registryId: req.registryId, region: req.region, proxyEndpoint: data.proxyEndpoint, expiresAt: new Date(data.expiresAt).toISOString() }, 'got an ECR authorization token');
    return auth;
  }
}
