/**
 * Logs are JSON lines (pino) on stderr, for journald, `docker logs` and log shippers; on a terminal, or with
 * --pretty, they are rendered by pino-pretty instead. --json forces JSON on a terminal. pino-pretty is imported only
 * then: a service writing JSON lines never loads it.
 */
import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from '../shared/log.js';
import type { CliIo } from './io.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export interface LogFlags {
  pretty?: boolean | undefined;
  json?: boolean | undefined;
  'log-level'?: string | undefined;
}

export function wantsPretty(flags: LogFlags, io: CliIo): boolean {
  if (flags.json) return false;
  return flags.pretty === true || io.stderrIsTTY;
}

/** `alsoTo`: the ECS_LOGFILE destination, which gets the JSON lines whatever stderr shows. */
export async function cliLogger(flags: LogFlags, io: CliIo, level: string, alsoTo?: DestinationStream): Promise<Logger> {
  if (wantsPretty(flags, io)) {
    const { default: pinoPretty } = await import('pino-pretty');
    const stream = pinoPretty({
      destination: 2,
      sync: true,
      colorize: io.stderrIsTTY,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,name',
    });
    return createLogger({ level, alsoTo }, stream);
  }
  return createLogger({ level, alsoTo });
}
