/**
 * What a composition root has started, closed in the reverse order: at shutdown, and on a failure part-way through
 * startup, so a start that fails at its ninth part still closes the eight before it (no listening port, Docker
 * stream, database handle or timer is left behind). A part that fails to close is logged and the rest still close.
 */
import type { Logger } from './log.js';

export class StartedParts {
  private readonly parts: Array<{ name: string; close: () => unknown }> = [];

  constructor(private readonly log: Logger) {}

  /** Records `part` as started; `close` runs once, in reverse order of `add`. */
  add<T>(name: string, part: T, close: (part: T) => unknown): T {
    this.parts.push({ name, close: () => close(part) });
    return part;
  }

  async closeAll(): Promise<void> {
    for (let part = this.parts.pop(); part; part = this.parts.pop()) {
      try {
        await part.close();
      } catch (err) {
        this.log.warn({ err, part: part.name }, 'closing a part failed');
      }
    }
  }
}
