/** What a command may touch of the process: given by src/cli.ts, replaced in tests. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  /** Is stderr a terminal? Then logs are human-readable unless --json. */
  readonly stderrIsTTY: boolean;
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
