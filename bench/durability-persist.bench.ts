/**
 * The cost of one persisted task transition: StateStore.saveTask (one SQLite transaction, WAL,
 * synchronous=FULL: durable on return) of a realistic one-container task, against the floor of any durable
 * write on this disk: a 4 KiB write + fdatasync of a plain file.
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StateStore } from '../src/agent/state/store.js';
import { newTaskRecord, parseTaskSpec } from '../src/agent/engine/parse-task.js';
import type { AcsTask } from '../src/shared/protocol/acs.js';
import { webTask } from '../test/kit/agent-harness.js';
import { summarize, type BenchOutcome } from './stats.js';

export const name = 'durability-persist';
const RUNS = Number(process.env['BERTH_BENCH_RUNS'] ?? 2000);
const TARGET_MEDIAN_MS = 1;
const STATUSES = ['PULLED', 'CREATED', 'RUNNING', 'STOPPED'] as const;

function persistSamples(dir: string, runs: number): number[] {
  const store = new StateStore({ dataDir: dir });
  const record = newTaskRecord(parseTaskSpec(webTask('arn:aws:ecs:us-west-2:123456789012:task/bench/0123456789abcdef0123456789abcdef', 'RUNNING') as AcsTask), 'RUNNING');
  store.saveTask(record);
  const samples: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      record.state.containers[0]!.known = STATUSES[i % STATUSES.length]!;
      const t0 = performance.now();
      store.saveTask(record);
      samples.push(performance.now() - t0);
    }
  } finally {
    store.close();
  }
  return samples;
}

function fsyncSamples(dir: string, runs: number): number[] {
  const fd = openSync(path.join(dir, 'floor'), 'w', 0o600);
  const block = Buffer.alloc(4096, 1);
  const samples: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      writeSync(fd, block, 0, block.length, 0);
      fdatasyncSync(fd);
      samples.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
  }
  return samples;
}

export async function run(): Promise<BenchOutcome> {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-bench-persist-'));
  try {
    const persisted = summarize(persistSamples(dir, RUNS));
    const floor = summarize(fsyncSamples(dir, RUNS));
    return {
      rows: [
        { measure: `one persisted transition (target median <= ${TARGET_MEDIAN_MS} ms)`, runs: persisted.runs, median_ms: persisted.medianMs, p90_ms: persisted.p90Ms, max_ms: persisted.maxMs },
        { measure: '4 KiB write + fdatasync (baseline: floor of a durable write)', runs: floor.runs, median_ms: floor.medianMs, p90_ms: floor.p90Ms, max_ms: floor.maxMs },
      ],
      result: {
        description: 'StateStore.saveTask of a one-container task (WAL, synchronous=FULL), vs a raw 4 KiB write+fdatasync',
        runs: RUNS,
        persistedTransition: persisted,
        baseline: { writeFdatasync4k: floor },
        targetMedianMs: TARGET_MEDIAN_MS,
        meetsTarget: persisted.medianMs <= TARGET_MEDIAN_MS,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
