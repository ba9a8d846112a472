/**
 * util.parseArgs with berth's conventions: strict, no positionals, and errors turned into one short line.
 * The official agent's single-dash spellings (`-healthcheck`, `-version`, `-loglevel debug`) are accepted too,
 * so a container health check written for the official image works unchanged.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  pretty: { type: 'boolean' },
  json: { type: 'boolean' },
  'log-level': { type: 'string' },
} as const satisfies Options;

const OFFICIAL_SPELLINGS: Record<string, string> = {
  '-healthcheck': '--healthcheck',
  '-version': '--version',
  '-loglevel': '--log-level',
};

function officialToBerth(arg: string): string {
  const eq = arg.indexOf('=');
  const flag = eq === -1 ? arg : arg.slice(0, eq);
  const mapped = OFFICIAL_SPELLINGS[flag];
  return mapped === undefined ? arg : `${mapped}${eq === -1 ? '' : arg.slice(eq)}`;
}

/** Node's messages are long and mention positionals; keep the part a user needs. */
function shorten(err: Error): string {
  const m = /^(Unknown option|Unexpected argument) '([^']+)'/.exec(err.message);
  if (m) return `${m[1] === 'Unknown option' ? 'unknown option' : 'unexpected argument'} '${m[2]}'`;
  const missing = /^Option '([^']+)' argument missing/.exec(err.message);
  if (missing) return `option '${missing[1]}' needs a value`;
  const first = err.message.split('\n')[0] ?? err.message;
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/** The parsed flag values of `options`, typed by node:util's own parseArgs result. */
export type ParsedFlags<O extends Options> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>['values'];

export function parseCommandArgs<O extends Options>(command: string, args: readonly string[], options: O): ParsedFlags<O> {
  try {
    return parseArgs({ args: args.map(officialToBerth), options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(shorten(err as Error), command);
  }
}

export function parsePort(command: string, raw: string, flag = '--port'): number {
  const port = Number(raw);
  if (raw === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${flag} '${raw}': expected a port 0-65535`, command);
  }
  return port;
}

/** As parseCommandArgs, for the commands that take operands (`berth logs <task>`). */
export function parseCommandLine<O extends Options>(command: string, args: readonly string[], options: O): { flags: ParsedFlags<O>; operands: string[] } {
  try {
    const parsed = parseArgs({ args: args.map(officialToBerth), options, strict: true, allowPositionals: true });
    return { flags: parsed.values as ParsedFlags<O>, operands: parsed.positionals };
  } catch (err) {
    throw new UsageError(shorten(err as Error), command);
  }
}
