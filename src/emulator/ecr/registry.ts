/**
 * The emulated Amazon ECR registry as ECS and agents see it: the emulator's built-in registry (registry-front.ts,
 * the default) or a Docker registry of the user's choice (--ecr-registry host:port, behind htpasswd) plays the
 * ECR registry of the emulator's account. GetAuthorizationToken hands out a login as an ECR token, and tasks
 * whose images live there carry registryAuthentication {type: "ecr"} with this emulator as endpointOverride, so an
 * agent that speaks ECR (berth or the official one) pulls from it unchanged.
 *
 * Images on a real ECR host (<account>.dkr.ecr.<region>.amazonaws.com) get ecrAuthData as ECS gives it, without an
 * endpointOverride: the agent asks the ECR endpoint it is configured with.
 */
import type { RegistryAuthenticationData } from '../../shared/protocol/acs.js';

export interface EcrRegistryOptions {
  /** host[:port] of the registry that plays ECR, as images name it (127.0.0.1:5000/app:1). */
  registry: string;
  username: string;
  password: string;
  /** Where agents reach this emulator's ECR API (endpointOverride); the emulator's own URL when omitted. */
  endpoint?: string | undefined;
  /** Token lifetime; 12 hours like ECR. */
  tokenTtlMs?: number;
}

const REAL_ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const TWELVE_HOURS_MS = 12 * 3_600_000;

/** The registry host of an image reference (the first path part when it looks like a host), else undefined. */
export function imageRegistry(image: string): string | undefined {
  const slash = image.indexOf('/');
  if (slash === -1) return undefined;
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : undefined;
}

/** Who may pull and push: the login GetAuthorizationToken hands out, and until when. */
export type EcrLogin = (nowMs: number) => { username: string; password: string; expiresAtMs: number };

/** An external registry named with --ecr-registry: its one htpasswd login, as a token of ECR's 12-hour lifetime. */
export function externalLogin(opts: EcrRegistryOptions): EcrLogin {
  return (nowMs) => ({ username: opts.username, password: opts.password, expiresAtMs: nowMs + (opts.tokenTtlMs ?? TWELVE_HOURS_MS) });
}

export class EmulatedEcr {
  private endpoint: string | undefined;

  /**
   * `registry`: host[:port] as images name it (the built-in front's address once it listens, or an external
   * registry); `login`: the credentials a token carries.
   */
  constructor(
    public registry: string,
    private readonly login: EcrLogin,
    readonly accountId: string,
    readonly region: string,
    endpoint?: string,
  ) {
    this.endpoint = endpoint?.replace(/\/+$/, '');
  }

  /** The emulator's URL once it listens; an explicitly configured endpoint stays. */
  listeningAt(url: string): void {
    this.endpoint ??= url;
  }

  /** One GetAuthorizationToken entry: base64 "<user>:<password>", expiresAt in epoch seconds, the proxy endpoint. */
  authorizationData(nowMs: number): { authorizationToken: string; expiresAt: number; proxyEndpoint: string } {
    const login = this.login(nowMs);
    return {
      authorizationToken: Buffer.from(`${login.username}:${login.password}`).toString('base64'),
      expiresAt: Math.floor(login.expiresAtMs / 1000),
      // ECR's form; agents check that "https://" + image starts with it.
      proxyEndpoint: `https://${this.registry}`,
    };
  }

  /** ecrAuthData for an image in the emulated registry; undefined for any other image. */
  ecrAuthDataFor(image: string, useExecutionRole: boolean): RegistryAuthenticationData | undefined {
    if (imageRegistry(image) !== this.registry) return undefined;
    return {
      type: 'ecr',
      ecrAuthData: { registryId: this.accountId, region: this.region, useExecutionRole, ...(this.endpoint ? { endpointOverride: this.endpoint } : {}) },
    };
  }
}

/**
 * registryAuthentication for a container's image (§3.4): ECR auth for the emulated registry or a real ECR host,
 * nothing for any other registry. useExecutionRole: the task definition has an executionRoleArn.
 */
export function ecrRegistryAuthenticationFor(image: string, useExecutionRole: boolean, ecr: EmulatedEcr | undefined): RegistryAuthenticationData | undefined {
  const emulated = ecr?.ecrAuthDataFor(image, useExecutionRole);
  if (emulated) return emulated;
  const m = REAL_ECR_HOST.exec(imageRegistry(image) ?? '');
  if (!m) return undefined;
  return { type: 'ecr', ecrAuthData: { registryId: m[1]!, region: m[2]!, useExecutionRole } };
}
