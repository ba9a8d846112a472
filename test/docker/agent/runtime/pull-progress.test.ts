/**
 * Long pulls log progress: a real pull from a local docker-registry of an image with three layers of random bytes
 * (so nothing is shared with what Docker already has), with the progress interval at 0 so every progress event
 * may log; the production default (5 s) is the same code with a longer interval.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { DockerRuntime } from '../../../../src/agent/runtime/docker.js';
import { createLogger } from '../../../../src/shared/log.js';
import { BUSYBOX, docker, startLocalRegistry } from '../../../kit/docker.js';

const LAYER_BYTES = 2 * 1024 * 1024;
const RANDOM_LAYERS = 3;

interface Line {
  msg: string;
  image?: string;
  layersDone?: number;
  layersTotal?: number;
  bytesDone?: number;
  bytesTotal?: number;
}

t.test('a pull logs throttled progress lines and the last one shows every layer done', { skip: existsSync('/usr/bin/docker-registry') ? false : 'needs /usr/bin/docker-registry' }, async (t) => {
  const registry = await startLocalRegistry();
  t.teardown(() => registry.stop());
  const image = `${registry.host}/berth-pull-progress:${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-pull-progress-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const copies = [];
  for (let i = 0; i < RANDOM_LAYERS; i++) {
    writeFileSync(path.join(dir, `blob${i}`), randomBytes(LAYER_BYTES));
    copies.push(`COPY blob${i} /blob${i}`);
  }
  writeFileSync(path.join(dir, 'Dockerfile'), [`FROM ${BUSYBOX}`, ...copies, ''].join('\n'));
  // The classic builder uses the local base image as is; nothing is pulled from anywhere.
  execFileSync('docker', ['build', '-q', '-t', image, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: 'ignore' });
  docker('push', image);
  docker('rmi', image);
  t.teardown(() => {
    try {
      docker('rmi', '-f', image);
    } catch {
      // not pulled
    }
  });

  const lines: Line[] = [];
  const log = createLogger({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) });
  const runtime = new DockerRuntime({ dockerHost: 'unix:///var/run/docker.sock', log, pullProgressIntervalMs: 0 });
  await runtime.pullImage(image, { timeoutMs: 120_000, signal: AbortSignal.timeout(120_000) });

  const progress = lines.filter((l) => l.msg === 'image pull progress');
  t.ok(progress.length >= 1, `${progress.length} progress lines`);
  t.ok(progress.every((l) => l.image === image), 'each names the image');
  t.ok(progress.every((l) => (l.layersDone ?? -1) <= (l.layersTotal ?? -1) && (l.bytesDone ?? -1) <= (l.bytesTotal ?? -1)), 'done never exceeds total');
  const last = progress.at(-1)!;
  t.ok(last.layersTotal! >= RANDOM_LAYERS + 1, `the base layer and the ${RANDOM_LAYERS} random ones: ${last.layersTotal}`);
  t.equal(last.layersDone, last.layersTotal, 'the last line shows every layer done');
  t.ok(last.bytesTotal! >= RANDOM_LAYERS * LAYER_BYTES * 0.9, `downloaded bytes counted (compressed random data does not shrink): ${last.bytesTotal}`);
  t.equal(last.bytesDone, last.bytesTotal);
  t.ok(progress.some((l) => l.layersDone! < l.layersTotal!), 'earlier lines show the pull under way');
});

