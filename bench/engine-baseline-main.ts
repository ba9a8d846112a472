/** The footprint baseline: Node with the agent's main libraries loaded, doing nothing. */
import '@aws-sdk/client-ecs';
import 'better-sqlite3';
import 'dockerode';
import 'pino';
import 'ws';

process.send?.('ready');
process.on('message', (m) => {
  if (m !== 'gc') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20 });
});
setInterval(() => undefined, 60_000);
