/**
 * Container health for PublishHealthRequest (spec §7) and the instance's runtime health for
 * PublishInstanceStatusRequest. Only containers whose definition has a Docker health check are inspected,
 * once per publish: an instance without health checks costs no Docker call at all.
 */
import type { ContainerHealth, ContainerRuntime } from '../runtime/runtime.js';
import type { HealthStatus, InstanceHealthcheckStatus, InstanceStatus } from '../../shared/protocol/tcs.js';
import { epochSeconds } from '../../shared/time.js';
import { realClock, type Clock } from '../../shared/clock.js';

const INSPECT_TIMEOUT_MS = 10_000;

export function healthStatusOf(h: ContainerHealth | undefined): HealthStatus {
  if (h?.status === 'healthy') return 'HEALTHY';
  if (h?.status === 'unhealthy') return 'UNHEALTHY';
  return 'UNKNOWN';
}

/** Remembers when each container's status last changed: statusSince. */
export class ContainerHealthTracker {
  private readonly seen = new Map<string, { status: HealthStatus; since: number }>();

  constructor(private readonly opts: { runtime: Pick<ContainerRuntime, 'inspectContainer'>; clock?: Clock }) {}

  /** undefined when the container is gone. */
  async read(dockerId: string): Promise<{ status: HealthStatus; since: number } | undefined> {
    const info = await this.opts.runtime.inspectContainer(dockerId, AbortSignal.timeout(INSPECT_TIMEOUT_MS));
    if (!info) {
      this.seen.delete(dockerId);
      return undefined;
    }
    const status = healthStatusOf(info.health);
    const prev = this.seen.get(dockerId);
    if (prev?.status === status) return prev;
    const entry = { status, since: info.health?.lastCheckAt ?? (this.opts.clock ?? realClock).now() };
    this.seen.set(dockerId, entry);
    return entry;
  }

  retain(ids: ReadonlySet<string>): void {
    for (const id of this.seen.keys()) if (!ids.has(id)) this.seen.delete(id);
  }
}

/** The "ContainerRuntime" instance check: INITIALIZING until the first ping, then OK or IMPAIRED. */
export class RuntimeDoctor {
  private status: InstanceHealthcheckStatus = 'INITIALIZING';
  private lastStatusChange: number;

  constructor(private readonly opts: { runtime: Pick<ContainerRuntime, 'version'>; clock?: Clock }) {
    this.lastStatusChange = this.now();
  }

  private now(): number {
    return (this.opts.clock ?? realClock).now();
  }

  /** Pings the runtime and reports the result (the official doctor runs on ACS heartbeats; berth on the publish tick). */
  async check(): Promise<InstanceStatus> {
    let next: InstanceHealthcheckStatus;
    try {
      await this.opts.runtime.version(AbortSignal.timeout(INSPECT_TIMEOUT_MS));
      next = 'OK';
    } catch {
      next = 'IMPAIRED';
    }
    const now = this.now();
    if (next !== this.status) {
      this.status = next;
      this.lastStatusChange = now;
    }
    return { type: 'ContainerRuntime', status: this.status, lastUpdated: epochSeconds(now), lastStatusChange: epochSeconds(this.lastStatusChange) };
  }
}
