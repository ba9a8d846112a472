/**
 * Docker unreachable at start (spec §1.4 step 2; aws/amazon-ecs-agent#591, #2618): wait and retry with
 * backoff(1s, 30s, x1.5, j0.2), logging why each attempt failed, until Docker answers or startup is aborted.
 * The official agent exited instead, sometimes with 0, so its supervisor gave up on it.
 */
import type { Logger } from '../../shared/log.js';
import { Backoff } from '../../shared/time.js';
import { sleep } from '../../shared/clock.js';
import { errorMessage } from '../../shared/errors.js';
import type { ContainerRuntime, RuntimeVersion } from '../runtime/runtime.js';

const ATTEMPT_TIMEOUT_MS = 30_000;

export async function waitForDocker(opts: {
  runtime: ContainerRuntime;
  dockerHost: string;
  signal?: AbortSignal;
  log: Logger;
  backoff?: { minMs: number; maxMs: number };
}): Promise<RuntimeVersion> {
  const backoff = new Backoff({ minMs: opts.backoff?.minMs ?? 1000, maxMs: opts.backoff?.maxMs ?? 30_000, multiplier: 1.5, jitter: 0.2 });
  const signal = opts.signal ?? new AbortController().signal;
  for (let attempt = 1; ; attempt++) {
    try {
      const version = await opts.runtime.version(AbortSignal.any([signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]));
      if (attempt > 1) opts.log.info({ attempt, version: version.version }, 'docker is reachable now');
      return version;
    } catch (err) {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('startup aborted');
      const waitMs = Math.round(backoff.next());
      opts.log.warn({ dockerHost: opts.dockerHost, attempt, waitMs, why: errorMessage(err) }, 'docker is not reachable; waiting for it');
      await sleep(waitMs, signal);
    }
  }
}
