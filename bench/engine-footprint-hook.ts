/**
 * Loaded with `--import` into both processes of the footprint benchmark (bench/engine-footprint.bench.ts): the
 * real `berth agent` and the baseline. The benchmark asks for a full GC before each RSS reading (node runs with
 * --expose-gc), so garbage is not counted, and gets the V8 heap in use back.
 */
process.on('message', (m) => {
  if (m !== 'gc') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20 });
});
