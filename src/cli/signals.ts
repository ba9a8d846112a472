/** The signals that end a berth command cleanly: Ctrl-C, a service manager's stop, a closed terminal. */
export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface ShutdownSignalOptions {
  /**
   * Called for every further signal while shutdown is under way. The listeners stay installed until the process
   * exits: a second Ctrl-C (or the copy of the first that `npm start` forwards to its child) must not fall back to
   * Node's default action, which kills the process half-way through closing.
   */
  onRepeat?: (sig: NodeJS.Signals, count: number) => void;
}

/** Resolves on the first SIGINT, SIGTERM or SIGHUP; later ones go to `onRepeat` and never kill the process. */
export function shutdownSignal(opts: ShutdownSignalOptions = {}): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let count = 0;
    const on = (sig: NodeJS.Signals): void => {
      count += 1;
      if (count === 1) resolve(sig);
      else opts.onRepeat?.(sig, count);
    };
    for (const sig of SHUTDOWN_SIGNALS) process.on(sig, on);
  });
}
