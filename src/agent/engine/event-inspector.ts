/**
 * Inspects after Docker events, off the task's queue and one at a time per container: events that arrive while
 * an inspect is in flight coalesce into one more inspect, so a burst of events (kill, die, stop) under a busy
 * Docker costs at most two inspects, and the queue is never blocked behind Docker.
 */
import type { Logger } from '../../shared/log.js';
import type { ContainerInspect } from '../runtime/runtime.js';

export interface EventInspectorOptions {
  inspect: (id: string) => Promise<ContainerInspect | undefined>;
  /** Folds the result in (through the task's queue). */
  apply: (id: string, info: ContainerInspect | undefined) => void;
  closed: () => boolean;
  log: Logger;
}

export class EventInspector {
  /** Containers with an inspect in flight -> whether another event arrived meanwhile. */
  private readonly inFlight = new Map<string, boolean>();

  constructor(private readonly opts: EventInspectorOptions) {}

  request(id: string): void {
    if (this.inFlight.has(id)) {
      this.inFlight.set(id, true);
      return;
    }
    this.inFlight.set(id, false);
    void this.run(id);
  }

  private async run(id: string): Promise<void> {
    try {
      do {
        this.inFlight.set(id, false);
        const info = await this.opts.inspect(id);
        this.opts.apply(id, info);
      } while (this.inFlight.get(id) === true && !this.opts.closed());
    } catch (err) {
      if (!this.opts.closed()) this.opts.log.warn({ err, id }, 'inspect after a docker event failed');
    } finally {
      this.inFlight.delete(id);
    }
  }
}
