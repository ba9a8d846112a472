/** The TCS aggregate shapes (tcs-api-2.json): a window of samples folded into min / max / count / sum. */

export interface CWStatsSet {
  min: number;
  max: number;
  sampleCount: number;
  sum: number;
}

/** ULongStatsSet: the overflow* members carry the part above 2^63 the Go agent cannot fit; ours never overflow. */
export interface ULongStatsSet extends CWStatsSet {
  overflowMin: number;
  overflowMax: number;
  overflowSum: number;
}

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
