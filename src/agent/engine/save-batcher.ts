/**
 * Writes that must be durable before an action (a container's name before `docker create`, §6.6) come in bursts:
 * a payload of 50 tasks creates 50 containers at once. Each write is an fsync (synchronous=FULL), so the writes
 * one turn of the event loop produces go out in ONE transaction, and every caller resumes once it committed.
 */
import type { TaskRecord } from '../model/task.js';

export interface BatchStore {
  saveTasks(tasks: readonly TaskRecord[]): void;
}

export class SaveBatcher {
  private pending = new Map<string, TaskRecord>();
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;

  constructor(private readonly store: BatchStore) {}

  /** Resolves once `rec` (as it is when the batch is written) is committed. */
  save(rec: TaskRecord): Promise<void> {
    this.pending.set(rec.spec.arn, rec);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return done;
  }

  private flush(): void {
    const records = [...this.pending.values()];
    const waiters = this.waiters;
    this.pending = new Map();
    this.waiters = [];
    this.scheduled = false;
    try {
      this.store.saveTasks(records);
      for (const w of waiters) w.resolve();
    } catch (err) {
      for (const w of waiters) w.reject(err);
    }
  }
}
