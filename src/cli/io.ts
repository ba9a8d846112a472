/** What a command may touch of the process: given by src/cli.ts, replaced in tests. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  /** Is stderr a terminal? Then logs are human-readable unless --json. */
  readonly stderrIsTTY: boolean;
  /**
   * node's own options (process.execArgv) when the CLI runs as its own process: then `berth agent` tunes the V8 heap
   * of that process (./heap.ts). Absent when a test runs commands inside its own process.
   */
  readonly execArgv?: readonly string[];
}

/** A mistake in the command line: one line on stderr, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string | undefined,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes of the official agent (spec §1.1): 2 is berth's usage error, like most Unix tools. */
export const EXIT = { ok: 0, transient: 1, usage: 2, terminal: 5 } as const;
