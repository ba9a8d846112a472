/**
 * The footprint baseline: Node with the agent's main libraries loaded, doing nothing. Default V8 flags, unless
 * BERTH_BENCH_BASELINE_HEAP=agent: then the young-generation setting `berth agent` applies to itself
 * (src/cli/heap.ts) comes first, for an informational second baseline. The imports are dynamic so that the setting
 * can precede them.
 */
import { keepYoungGenerationSmall } from '../src/cli/heap.js';

if (process.env['BERTH_BENCH_BASELINE_HEAP'] === 'agent') keepYoungGenerationSmall(process.execArgv, undefined);
await import('@aws-sdk/client-ecs');
await import('better-sqlite3');
await import('dockerode');
await import('pino');
await import('systeminformation');
await import('ws');

process.send?.('ready');
setInterval(() => undefined, 60_000);
