/**
 * The emulator's own ECR registry, on by default: the distribution registry process, the front docker talks to,
 * and the sweep that makes the registry forget manifests ECR deleted (BatchDeleteImage, DeleteRepository --force,
 * lifecycle expiry). Deletions are recorded in the deleting transaction (ecr_forgotten) and carried out after it,
 * so a rolled-back request never loses an image and a crash in between is finished at the next start. The front
 * resolves everything through ECR's tables, so a deleted image cannot be pulled even before the sweep runs.
 */
import path from 'node:path';
import type { Logger } from '../../shared/log.js';
import { realClock, type Clock, type TimerHandle } from '../../shared/clock.js';
import { RegistryProcess, registryCall } from './registry-process.js';
import { RegistryFront } from './registry-front.js';
import type { EcrStore } from './store.js';
import { EcrTokens } from './tokens.js';

export interface LocalRegistryOptions {
  /** The registry's storage and config live here. */
  dir: string;
  store: EcrStore;
  registryId: string;
  log: Logger;
  clock?: Clock;
  /** How often forgotten manifests are deleted from the registry; default 2 s (and after every deleting call). */
  sweepMs?: number;
  /** How often every lifecycle policy is applied; default 10 minutes (and right after a policy is put). */
  lifecycleMs?: number;
  /** Applies a repository's lifecycle policy in a transaction of its own (lifecycle.ts, given by the wiring). */
  applyLifecycle: (repository: string) => void;
}

export class LocalRegistry {
  readonly tokens: EcrTokens;
  private readonly process: RegistryProcess;
  private front: RegistryFront | undefined;
  private timer: TimerHandle | undefined;
  private lifecycleTimer: TimerHandle | undefined;
  private sweeping: Promise<void> | undefined;
  private readonly clock: Clock;

  constructor(private readonly opts: LocalRegistryOptions) {
    this.clock = opts.clock ?? realClock;
    this.tokens = new EcrTokens(opts.store.tokenKey());
    this.process = new RegistryProcess({ dir: path.join(opts.dir, 'registry'), log: opts.log });
  }

  /** host:port as images name the registry. */
  get host(): string {
    return this.front?.host ?? '';
  }

  /** The registry's own URL (loopback), for benchmarks that compare with it. */
  get upstream(): string {
    return this.process.url;
  }

  /**
   * `fallback`: the port was derived (the emulator's + 1), not asked for: when it is taken, any free one will do
   * (repositoryUri names whichever it got). An asked-for port that is taken fails the start.
   */
  async start(port: number, host: string, fallback = false): Promise<void> {
    await this.process.start();
    const front = new RegistryFront({ store: this.opts.store, tokens: this.tokens, upstream: this.process.url, registryId: this.opts.registryId, clock: this.clock, log: this.opts.log });
    this.front = front;
    try {
      await front.listen(port, host);
    } catch (err) {
      if (!fallback || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      this.opts.log.warn({ port }, 'the ECR registry port next to the emulator\'s is taken; using a free one');
      await front.listen(0, host);
    }
    this.timer = this.clock.setInterval(() => void this.sweep(), this.opts.sweepMs ?? 2000);
    this.lifecycleTimer = this.clock.setInterval(() => this.applyAllLifecycles(), this.opts.lifecycleMs ?? 600_000);
    void this.sweep();
  }

  /** Every repository's lifecycle policy, now. */
  applyAllLifecycles(): void {
    for (const repo of this.opts.store.listRepositories()) if (repo.lifecyclePolicy) this.applyOne(repo.name);
  }

  /** Right after the current transaction (PutLifecyclePolicy applies its policy at once). */
  lifecycleSoon(repository: string): void {
    this.clock.setTimeout(() => this.applyOne(repository), 0);
  }

  private applyOne(repository: string): void {
    try {
      this.opts.applyLifecycle(repository);
    } catch (err) {
      this.opts.log.warn({ err, repository }, 'could not apply the lifecycle policy; will retry');
    }
    void this.sweep();
  }

  /** Stores a manifest in the registry (PutImage): the registry checks its blobs exist. Returns its HTTP answer. */
  async putManifest(repository: string, digest: string, body: string, mediaType: string): Promise<{ status: number; code?: string | undefined }> {
    const res = await registryCall(`${this.process.url}/v2/${repository}/manifests/${digest}`, 'PUT', { headers: { 'Content-Type': mediaType }, body });
    if (res.status === 201) return { status: 201 };
    let code: string | undefined;
    try {
      code = (JSON.parse(res.body.toString()) as { errors?: { code?: string }[] }).errors?.[0]?.code;
    } catch {
      code = undefined;
    }
    return { status: res.status, code };
  }

  /** A sweep right after the current transaction has committed (a deleting operation calls it inside its own). */
  sweepSoon(): void {
    this.clock.setTimeout(() => void this.sweep(), 0);
  }

  /** Deletes forgotten manifests from the registry; resolves when this pass is done. */
  sweep(): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        for (const f of this.opts.store.forgotten()) {
          // Pushed again since: the registry must keep it.
          if (!this.opts.store.getImage(f.repository, f.digest)) await this.process.deleteManifest(f.repository, f.digest);
          this.opts.store.forgottenDone(f.repository, f.digest);
        }
      } catch (err) {
        this.opts.log.warn({ err }, 'could not delete an image from the ECR registry; retrying');
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  async close(): Promise<void> {
    this.clock.clearInterval(this.timer);
    this.clock.clearInterval(this.lifecycleTimer);
    await this.sweeping;
    await this.front?.close();
    await this.process.close();
  }
}
