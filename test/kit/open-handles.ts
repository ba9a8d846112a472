/** Node's open handles by kind ("PipeWrap:2 TCPServerWrap:1 Timeout:3"), to show that a failed start left nothing open. */
import { waitUntil } from './wait.js';

export function openHandles(): string {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}:${n}`).join(' ');
}

/** The open handles once they stop changing (sockets and servers finish closing over a few turns of the loop). */
export function settledHandles(): Promise<string> {
  let last = '';
  let steady = 0;
  return waitUntil('open handles to settle', () => {
    const now = openHandles();
    steady = now === last ? steady + 1 : 0;
    last = now;
    return steady >= 3 ? now : undefined;
  }, { timeoutMs: 5000 });
}
