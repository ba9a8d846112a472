/** Folding a window of samples into TCS's aggregate shapes (src/shared/protocol/tcs.ts). */
import type { CWStatsSet, ULongStatsSet } from '../../shared/protocol/tcs.js';

export type { CWStatsSet, ULongStatsSet };

export function cwStatsSet(values: readonly number[]): CWStatsSet | undefined {
  if (values.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return { min, max, sampleCount: values.length, sum };
}

export function ulongStatsSet(values: readonly number[]): ULongStatsSet | undefined {
  const set = cwStatsSet(values.map((v) => Math.max(0, Math.round(v))));
  return set && { ...set, overflowMin: 0, overflowMax: 0, overflowSum: 0 };
}
