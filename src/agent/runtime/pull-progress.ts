/**
 * Progress of one image pull, folded from Docker's JSON progress stream, and a throttled log of it. A pull of a
 * large image can take minutes with nothing else in the log; one line every few seconds says it is alive and
 * how far it got, without the per-chunk flood Docker sends (tens of lines a second per layer).
 *
 * Docker's lines per layer (id = the layer's short digest): "Pulling fs layer" | "Already exists", "Waiting",
 * "Downloading" {current, total}, "Verifying Checksum", "Download complete", "Extracting" {current, total},
 * "Pull complete". Lines without a layer ("Pulling from x", "Digest: ...", "Status: ...") are not counted.
 */
import type { Logger } from '../../shared/log.js';
import { realClock } from '../../shared/clock.js';

export interface PullProgressEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
}

export interface PullProgress {
  image: string;
  layersDone: number;
  layersTotal: number;
  /** Downloaded bytes of the layers that are downloaded or downloading; bytesTotal counts the sizes known so far. */
  bytesDone: number;
  bytesTotal: number;
}

interface Layer {
  done: boolean;
  current: number;
  total: number;
}

const LAYER_STATUSES = new Set(['Pulling fs layer', 'Waiting', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete', 'Already exists']);

/** Pure accounting: which layers exist, which are done, download bytes per layer. */
export class PullTracker {
  private readonly layers = new Map<string, Layer>();

  constructor(private readonly image: string) {}

  add(event: PullProgressEvent): void {
    const { status, id } = event;
    if (!id || !status || !(LAYER_STATUSES.has(status) || status.startsWith('Retrying'))) return;
    let layer = this.layers.get(id);
    if (!layer) this.layers.set(id, (layer = { done: false, current: 0, total: 0 }));
    const detail = event.progressDetail;
    if (status === 'Downloading' && detail) {
      if (typeof detail.total === 'number' && detail.total > 0) layer.total = detail.total;
      if (typeof detail.current === 'number') layer.current = detail.current;
    } else if (status === 'Download complete' || status === 'Verifying Checksum' || status === 'Extracting') {
      layer.current = layer.total;
    } else if (status === 'Pull complete' || status === 'Already exists') {
      layer.current = layer.total;
      layer.done = true;
    }
  }

  snapshot(): PullProgress {
    let layersDone = 0;
    let bytesDone = 0;
    let bytesTotal = 0;
    for (const l of this.layers.values()) {
      if (l.done) layersDone++;
      bytesDone += l.current;
      bytesTotal += l.total;
    }
    return { image: this.image, layersDone, layersTotal: this.layers.size, bytesDone, bytesTotal };
  }
}

export const PULL_PROGRESS_INTERVAL_MS = 5000;

/**
 * Logs 'image pull progress' at most once per `intervalMs` (the first line only after one interval, so quick
 * pulls stay quiet), and a last line at the end when any line was logged, so a long pull's log ends at 100%.
 */
export class PullProgressLog {
  private readonly tracker: PullTracker;
  private readonly started: number;
  private last: number | undefined;

  constructor(
    image: string,
    private readonly log: Logger,
    private readonly intervalMs = PULL_PROGRESS_INTERVAL_MS,
    private readonly now: () => number = realClock.now,
  ) {
    this.tracker = new PullTracker(image);
    this.started = now();
  }

  add(event: PullProgressEvent): void {
    this.tracker.add(event);
    const t = this.now();
    if (t - (this.last ?? this.started) < this.intervalMs) return;
    this.last = t;
    this.log.info(this.tracker.snapshot(), 'image pull progress');
  }

  /** The pull finished (successfully): a closing line, only if progress was logged before. */
  finish(): void {
    if (this.last !== undefined) this.log.info(this.tracker.snapshot(), 'image pull progress');
  }
}
