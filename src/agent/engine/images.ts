/**
 * Images (§5.4 PULLED, §5.8): ECS_IMAGE_PULL_BEHAVIOR, pull retries, registry auth, and cleanup of images the
 * agent pulled once no container uses them.
 *
 *   default        pull; when it fails and the image is cached, use the cached one
 *   always         pull; a failure fails the container
 *   once           pull the first time; later only when the image has gone
 *   prefer-cached  pull only when the image is not present
 *
 * A failed pull is retried (5 tries, backoff 1.1s..5s x2 j0.2), except under `default` with the image cached:
 * berth then falls back at once instead of retrying first (the official agent retries, then falls back).
 * Concurrent pulls of the same image share one Docker pull; pulls of different images run in parallel.
 */
import { BerthError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { Backoff } from '../../shared/time.js';
import { sleep } from '../../shared/clock.js';
import type { AgentConfig } from '../config/config.js';
import type { ContainerRuntime, RegistryAuth } from '../runtime/runtime.js';
import { authForImage } from './registry-auth.js';
import { EcrTokenCache } from '../api/ecr-auth.js';
import { instanceCredentials, type Credentials } from '../api/ecs-api.js';
import { cleanupUntracked } from './untracked-cleanup.js';
import { realClock, type Clock } from '../../shared/clock.js';

export interface EnsureResult {
  /** Set only when a pull really happened (epoch ms). */
  pullStartedAt?: number;
  pullStoppedAt?: number;
  /** sha256:... from the image's RepoDigests, when it has one. */
  digest?: string;
  /** Set when the image cannot be used: the container's stop reason. */
  error?: unknown;
}

export interface EnsureOptions {
  /** Per-container registry credentials, known before the pull (asm). */
  auth?: RegistryAuth | undefined;
  /**
   * Registry credentials fetched only when a pull really happens (ecr), as the official agent asks ECR inside its
   * docker pull. A failure is the result's error, like a failed pull. `key` tells which pulls may share one.
   */
  lazyAuth?: { key: string; resolve: () => Promise<RegistryAuth> } | undefined;
}

export interface PullRetry {
  tries: number;
  minMs: number;
  maxMs: number;
}

export interface ImageManagerOptions {
  runtime: ContainerRuntime;
  config: AgentConfig;
  log: Logger;
  /** The agent's instance credentials, for ECR tokens without the execution role; the configured chain when omitted. */
  instanceCredentials?: Credentials | undefined;
  retry?: PullRetry;
  clock?: Clock;
}

interface TrackedImage {
  pulledAt: number;
  lastUsedAt: number;
  /** Docker IDs of containers created from it that have not been removed. */
  containers: Set<string>;
}

const DEFAULT_RETRY: PullRetry = { tries: 5, minMs: 1100, maxMs: 5000 };

export class ImageManager {
  private readonly pulledOnce = new Set<string>();
  private readonly tracked = new Map<string, TrackedImage>();
  private readonly inflight = new Map<string, Promise<EnsureResult>>();
  private deleting: Promise<void> | undefined;
  private readonly clock: Clock;
  private readonly retry: PullRetry;
  /** ECR tokens for registryAuthentication type ecr, shared by every task of the agent. */
  readonly ecrTokens: EcrTokenCache;

  constructor(private readonly opts: ImageManagerOptions) {
    this.ecrTokens = new EcrTokenCache({ instanceCredentials: opts.instanceCredentials ?? instanceCredentials(opts.config), endpoint: opts.config.ecrEndpoint, log: opts.log });
    this.clock = opts.clock ?? realClock;
    this.retry = opts.retry ?? opts.config.imagePullRetry ?? DEFAULT_RETRY;
  }

  /**
   * Makes `image` usable according to the pull behaviour. Never throws for pull failures: see `error`.
   * `auth` (per-container registry credentials) replaces ECS_ENGINE_AUTH_DATA for this pull; only pulls with the
   * same credentials share one Docker pull, so a wrong password never rides on a right one.
   */
  ensure(image: string, signal: AbortSignal, opts: EnsureOptions = {}): Promise<EnsureResult> {
    const key = opts.auth
      ? `${image}\0${opts.auth.serveraddress ?? ''}\0${opts.auth.username ?? ''}\0${opts.auth.password ?? ''}`
      : opts.lazyAuth ? `${image}\0lazy\0${opts.lazyAuth.key}` : image;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.ensureNow(image, signal, opts).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  private async ensureNow(image: string, signal: AbortSignal, opts: EnsureOptions): Promise<EnsureResult> {
    const behavior = this.opts.config.imagePullBehavior;
    const cached = await this.opts.runtime.inspectImage(image, signal);
    const digestOf = (repoDigests: string[]): string | undefined => repoDigests[0]?.split('@')[1];
    if (cached && (behavior === 'prefer-cached' || (behavior === 'once' && this.pulledOnce.has(image)))) {
      return { digest: digestOf(cached.repoDigests) };
    }
    await this.deleting;
    let auth = opts.auth;
    let error: unknown;
    let pullStartedAt: number | undefined;
    if (opts.lazyAuth) {
      // Only a pull that really happens asks for registry credentials (ECR: a GetAuthorizationToken call).
      try {
        auth = await opts.lazyAuth.resolve();
      } catch (err) {
        if (signal.aborted) throw err;
        error = err;
      }
    }
    if (error === undefined) {
      pullStartedAt = this.clock.now();
      const tries = behavior === 'default' && cached ? 1 : this.retry.tries;
      error = await this.pullWithRetries(image, tries, signal, auth ?? authForImage(image, this.opts.config));
    }
    const pullStoppedAt = pullStartedAt === undefined ? undefined : this.clock.now();
    const times = pullStartedAt === undefined ? {} : { pullStartedAt, pullStoppedAt };
    if (error !== undefined) {
      if (behavior === 'default' && cached) {
        this.opts.log.info({ image, err: error }, 'pull failed; using the cached image');
        return { ...times, digest: digestOf(cached.repoDigests) };
      }
      return { ...times, error };
    }
    this.pulledOnce.add(image);
    const pulledAt = pullStoppedAt!;
    const t = this.tracked.get(image);
    if (t) t.pulledAt = pulledAt;
    else this.tracked.set(image, { pulledAt, lastUsedAt: pulledAt, containers: new Set() });
    const after = await this.opts.runtime.inspectImage(image, signal).catch(() => undefined);
    return { ...times, digest: digestOf(after?.repoDigests ?? []) };
  }

  private async pullWithRetries(image: string, tries: number, signal: AbortSignal, auth: RegistryAuth | undefined): Promise<unknown> {
    const backoff = new Backoff({ minMs: this.retry.minMs, maxMs: this.retry.maxMs, multiplier: 2, jitter: 0.2 });
    let last: unknown;
    for (let attempt = 1; attempt <= tries; attempt++) {
      try {
        this.opts.log.info({ image, attempt }, 'pulling image');
        await this.opts.runtime.pullImage(image, {
          timeoutMs: this.opts.config.imagePullTimeoutMs,
          signal,
          auth,
          inactivityMs: this.opts.config.imagePullInactivityTimeoutMs,
        });
        return undefined;
      } catch (err) {
        if (signal.aborted) throw err;
        last = err;
        this.opts.log.warn({ image, attempt, err }, 'image pull failed');
        if (attempt < tries) await sleep(backoff.next(), signal);
      }
    }
    return last ?? new BerthError('CannotPullContainerError', `could not pull ${image}`);
  }

  /** A container was created from `image`: the image is in use until `release(containerId)`. */
  use(image: string, containerId: string): void {
    const t = this.tracked.get(image);
    if (t) {
      t.containers.add(containerId);
      t.lastUsedAt = this.clock.now();
    } else {
      // Not pulled by this agent (cached, or from before a restart): tracked for references only, never deleted
      // until a pull records it.
      this.tracked.set(image, { pulledAt: Number.POSITIVE_INFINITY, lastUsedAt: this.clock.now(), containers: new Set([containerId]) });
    }
  }

  release(containerId: string): void {
    for (const t of this.tracked.values()) {
      if (t.containers.delete(containerId)) t.lastUsedAt = this.clock.now();
    }
  }

  /**
   * One cleanup cycle (§5.8): deletes up to ECS_NUM_IMAGES_DELETE_PER_CYCLE least-recently-used images that this
   * agent pulled, that no container uses, and that were pulled at least ECS_IMAGE_MINIMUM_CLEANUP_AGE ago; then,
   * with ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP, untracked containers and images (untracked-cleanup.ts) within what is
   * left of the count. Pulls and deletions exclude each other. Returns the images removed (names, then untracked
   * tags and IDs).
   */
  async cleanupOnce(signal: AbortSignal): Promise<string[]> {
    if (this.inflight.size > 0) return [];
    const cfg = this.opts.config;
    const now = this.clock.now();
    const candidates = [...this.tracked]
      .filter(([, t]) => t.containers.size === 0 && now - t.pulledAt >= cfg.imageMinimumCleanupAgeMs)
      .sort(([, a], [, b]) => a.lastUsedAt - b.lastUsedAt)
      .slice(0, cfg.numImagesDeletePerCycle)
      .map(([image]) => image);
    const removed: string[] = [];
    let done!: () => void;
    this.deleting = new Promise((resolve) => (done = resolve));
    try {
      for (const image of candidates) {
        try {
          await this.opts.runtime.removeImage(image, signal);
          this.tracked.delete(image);
          this.pulledOnce.delete(image);
          removed.push(image);
        } catch (err) {
          if (signal.aborted) throw err;
          this.opts.log.warn({ image, err }, 'image cleanup could not remove an image');
        }
      }
      if (cfg.untrackedImageCleanup) {
        const untracked = await cleanupUntracked({
          runtime: this.opts.runtime,
          config: cfg,
          log: this.opts.log,
          now,
          signal,
          trackedImages: this.tracked.keys(),
          trackedContainers: new Set([...this.tracked.values()].flatMap((t) => [...t.containers])),
          imageBudget: cfg.numImagesDeletePerCycle - removed.length,
        });
        removed.push(...untracked.images);
      }
    } finally {
      done();
      this.deleting = undefined;
    }
    if (removed.length > 0) this.opts.log.info({ removed }, 'removed unused images');
    return removed;
  }
}
