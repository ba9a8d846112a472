/** Pull progress accounting and its throttle, on Docker's progress lines with an injected clock. */
import t from 'tap';
import { PullProgressLog, PullTracker, type PullProgress } from '../../../../src/agent/runtime/pull-progress.js';
import { createLogger } from '../../../../src/shared/log.js';

const IMAGE = 'registry.example/app:1';

/** Two layers: one already present, one downloaded in two chunks of 500 bytes. */
const EVENTS = [
  { status: 'Pulling from app', id: '1' },
  { status: 'Already exists', id: 'aaa' },
  { status: 'Pulling fs layer', id: 'bbb' },
  { status: 'Waiting', id: 'bbb' },
  { status: 'Downloading', id: 'bbb', progressDetail: { current: 500, total: 1000 } },
  { status: 'Downloading', id: 'bbb', progressDetail: { current: 1000, total: 1000 } },
  { status: 'Download complete', id: 'bbb' },
  { status: 'Extracting', id: 'bbb', progressDetail: { current: 2000, total: 4000 } },
  { status: 'Pull complete', id: 'bbb' },
  { status: 'Digest: sha256:0123' },
  { status: `Status: Downloaded newer image for ${IMAGE}` },
];

function capture(): { log: ReturnType<typeof createLogger>; lines: (PullProgress & { msg: string })[] } {
  const lines: (PullProgress & { msg: string })[] = [];
  return { log: createLogger({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as PullProgress & { msg: string }) }), lines };
}

t.test('the tracker counts layers and download bytes, not the image-level lines', async (t) => {
  const tracker = new PullTracker(IMAGE);
  for (const e of EVENTS.slice(0, 5)) tracker.add(e);
  t.same(tracker.snapshot(), { image: IMAGE, layersDone: 1, layersTotal: 2, bytesDone: 500, bytesTotal: 1000 });
  for (const e of EVENTS.slice(5)) tracker.add(e);
  t.same(tracker.snapshot(), { image: IMAGE, layersDone: 2, layersTotal: 2, bytesDone: 1000, bytesTotal: 1000 }, 'extracting bytes are not download bytes');
});

t.test('at most one line per interval, none for a pull shorter than it, and a closing line after a logged one', async (t) => {
  let now = 0;
  const quick = capture();
  const fast = new PullProgressLog(IMAGE, quick.log, 5000, () => now);
  for (const e of EVENTS) {
    now += 100;
    fast.add(e);
  }
  fast.finish();
  t.same(quick.lines, [], 'a 1 s pull logs nothing');

  now = 0;
  const slow = capture();
  const progress = new PullProgressLog(IMAGE, slow.log, 5000, () => now);
  for (const e of EVENTS) {
    now += 2000; // one event every 2 s: lines at 6 s, 12 s, 18 s (each 5 s or more after the last)
    progress.add(e);
  }
  t.same(slow.lines.map((l) => l.msg), ['image pull progress', 'image pull progress', 'image pull progress']);
  t.same(slow.lines.map((l) => l.layersDone), [1, 1, 2]);
  progress.finish();
  t.same(slow.lines.at(-1), { ...slow.lines.at(-1), image: IMAGE, layersDone: 2, layersTotal: 2, bytesDone: 1000, bytesTotal: 1000 }, 'the closing line shows the pull complete');
  t.equal(slow.lines.length, 4);
});
