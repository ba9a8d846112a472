/**
 * The agent as its own process, for the footprint benchmark (bench/engine-footprint.bench.ts): configuration
 * from the environment, logs off; says "ready" over IPC once started, closes on SIGTERM.
 */
import { loadConfig, startAgent } from '../src/agent/index.js';
import { silentLogger } from '../src/shared/log.js';

const agent = await startAgent({ config: loadConfig(process.env, { configFile: '/nonexistent/berth-bench' }), log: silentLogger() });
process.send?.('ready');
// The benchmark asks for a full GC before each RSS reading (node runs with --expose-gc), so garbage is not counted.
process.on('message', (m) => {
  if (m !== 'gc') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20 });
});
process.on('SIGTERM', () => {
  void agent.close().then(() => process.exit(0));
});
