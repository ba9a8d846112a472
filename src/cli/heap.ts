/**
 * The agent's V8 young generation stays at its initial size: two 1 MB semi-spaces, where V8 would otherwise grow
 * them to 2 x 8 MB while the libraries load (every scavenge then promotes most objects, which V8 reads as "grow").
 * V8 gives the grown space back only when its memory reducer runs, 10-30 s after the process goes quiet, so without
 * this the agent carries ~5-8 MB more RSS for its first seconds and after every burst of tasks
 * (bench/engine-footprint.bench.ts prints both readings). An agent allocates little, so the price is a few more
 * (sub-millisecond) scavenges.
 *
 * `--max-semi-space-size` would say the same, but V8 reads it only when the heap is created, so it must be on the
 * node command line, and berth is started by several launchers (the npm bin, scripts/install's wrapper, the
 * Dockerfile, `npm run berth`). The growth factor is read each time the new space grows, so setting it here, before
 * the agent's modules load, takes effect for every launcher. test/unit/cli/agent.footprint.test.ts checks that it still does.
 */
import v8 from 'node:v8';

/** V8 options that size the young generation: when the operator set one, theirs wins. */
const YOUNG_GENERATION_FLAG = /--(max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/;

/** Returns whether the setting was applied (false when the node command line or NODE_OPTIONS already size it). */
export function keepYoungGenerationSmall(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  if (execArgv.some((a) => YOUNG_GENERATION_FLAG.test(a)) || YOUNG_GENERATION_FLAG.test(nodeOptions ?? '')) return false;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}
