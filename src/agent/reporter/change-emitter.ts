/**
 * When a task's state is worth a SubmitTaskStateChange (§6.4): the task's known status reached RUNNING or
 * STOPPED unsent, or a container reached a reportable status unsent. The official agent holds container-only
 * changes for 10-30 s; berth reports them at once (the reporter coalesces per task). A change handed to the
 * reporter is not handed over again until it is confirmed sent or the actor re-emits (restart).
 */
import { containerBackendStatus, taskRank, type ContainerStatus } from '../../shared/model/status.js';
import type { TaskRecord } from '../model/task.js';
import { buildTaskStateChange, type TaskStateChange } from './state-change.js';

export class ChangeEmitter {
  private readonly submitted = new Map<string, ContainerStatus>();

  constructor(private readonly opts: { cluster: string; excludeIpv6: boolean; submit: (change: TaskStateChange) => void }) {}

  /** `taskChanged`: the known task status just changed; `reemit`: submit whatever is unsent (startup). */
  emit(rec: TaskRecord, opts: { taskChanged: boolean; reemit: boolean }): void {
    const s = rec.state;
    if (opts.reemit) this.submitted.clear();
    const taskNews = (s.known === 'RUNNING' || s.known === 'STOPPED') && taskRank(s.sent) < taskRank(s.known) && (opts.taskChanged || opts.reemit);
    const containerNews = s.containers.some(
      (c) => containerBackendStatus(c.known) !== undefined && c.known !== c.sent && this.submitted.get(c.name) !== c.known,
    );
    if (!taskNews && !containerNews) return;
    const change = buildTaskStateChange(rec, { cluster: this.opts.cluster, excludeIpv6: this.opts.excludeIpv6 });
    for (const c of change.containers) this.submitted.set(c.name, c.status);
    this.opts.submit(change);
  }

  /** The reporter confirmed `change`: its container statuses may be submitted again if they recur. */
  sent(change: TaskStateChange): void {
    for (const c of change.containers) if (this.submitted.get(c.name) === c.status) this.submitted.delete(c.name);
  }
}
