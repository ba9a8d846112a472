/**
 * The sequence state ACS responders share (spec §4.2, §4.4): `latestSeqNum` = the max of every PayloadMessage
 * seqNum and every accepted TaskManifestMessage timeline, persisted as metadata `task-manifest-seq-num` so a
 * restarted agent still skips stale manifests; and the messageId of the last manifest that produced stop
 * candidates, which a TaskStopVerificationAck must match.
 */
export interface SeqStore {
  getMeta(key: 'task-manifest-seq-num'): string | undefined;
  setMeta(key: 'task-manifest-seq-num', value: string): void;
}

export class ManifestState {
  lastMessageId: string | undefined;
  private latest: number;

  constructor(private readonly store?: SeqStore) {
    const saved = Number(store?.getMeta('task-manifest-seq-num') ?? 0);
    this.latest = Number.isFinite(saved) ? saved : 0;
  }

  get latestSeqNum(): number {
    return this.latest;
  }

  /** A PayloadMessage's seqNum: latestSeqNum = max(latestSeqNum, seqNum), persisted when it grows. */
  noteSeqNum(seqNum: number | undefined): void {
    if (seqNum === undefined || !(seqNum > this.latest)) return;
    this.latest = seqNum;
    this.store?.setMeta('task-manifest-seq-num', String(seqNum));
  }

  /** A manifest counts only when its timeline is newer than everything seen; then it becomes the latest. */
  acceptTimeline(timeline: number | undefined): boolean {
    if (timeline === undefined || !(timeline > this.latest)) return false;
    this.noteSeqNum(timeline);
    return true;
  }
}
