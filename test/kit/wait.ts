/**
 * The one way tests wait for something: poll until `probe` returns a value (anything but undefined or false),
 * with a deadline that cannot be left out. On timeout the error names what was awaited and the probe's last
 * failure. Tests never sleep a fixed time to wait for a thing to happen.
 */
export interface WaitOptions {
  timeoutMs: number;
  /** Between probes; default 20 ms. */
  intervalMs?: number;
}

export type Probe<T> = () => T | undefined | false | Promise<T | undefined | false>;

export async function waitUntil<T>(what: string, probe: Probe<T>, opts: WaitOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 20));
  }
}
