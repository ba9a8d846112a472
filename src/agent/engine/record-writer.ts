/**
 * Persistence of one task record. Every write is an fsync, so unchanged state is never written again, and
 * writes that need not precede an action are coalesced into one per turn of the event loop ('soon').
 * 'now' is for writes that must land before an action (a new desired status); observed statuses are re-read
 * from Docker after a crash anyway.
 */
import type { TaskRecord } from '../model/task.js';

export interface RecordStore {
  saveTask(task: TaskRecord, opts?: { durable?: boolean }): void;
}

export class RecordWriter {
  /** The state as last written; the caller saved (or loaded) the record just before creating the writer. */
  private lastSaved: string;
  private timer: NodeJS.Immediate | undefined;

  constructor(private readonly rec: TaskRecord, private readonly store: RecordStore) {
    this.lastSaved = JSON.stringify(rec.state);
  }

  now(): void {
    this.write(true);
  }

  /**
   * Coalesced, and not fsynced: what 'soon' writes (observed statuses) reconciliation re-reads from Docker
   * after a crash, and an fsync would block the event loop in the middle of other tasks' starts.
   */
  soon(): void {
    this.timer ??= setImmediate(() => {
      this.timer = undefined;
      this.write(false);
    });
  }

  private write(durable: boolean): void {
    this.cancel();
    const json = JSON.stringify(this.rec.state);
    if (json === this.lastSaved) return;
    this.store.saveTask(this.rec, { durable });
    this.lastSaved = json;
  }

  /** Writes a coalesced write that is still pending (agent shutdown). */
  flush(): void {
    if (this.timer) this.now(); // agent shutdown: the pending write becomes durable
  }

  /** Drops a pending write (the record is being deleted). */
  cancel(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
  }
}
