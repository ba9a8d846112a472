import { pino, type Logger, type DestinationStream, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * The one pino root. Secrets never reach a log line: credential fields are redacted wherever they appear.
 * Field names used across berth: taskArn, container, dockerId, messageId, seqNum, err.
 */
export const REDACT_PATHS = [
  'secretAccessKey',
  'sessionToken',
  'accessKeyId',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.accessKeyId',
  '*.*.secretAccessKey',
  '*.*.sessionToken',
  'roleCredentials',
  'executionRoleCredentials',
  '*.roleCredentials',
  '*.executionRoleCredentials',
  'headers.authorization',
  'authorization',
  // Container secrets become environment variables of the Docker create request; should a request or a Secrets
  // Manager answer ever be logged, those stay out of the line.
  'Env',
  '*.Env',
  '*.body.Env',
  'SecretString',
  '*.SecretString',
];

/**
 * `alsoTo` (ECS_LOGFILE): a second destination receiving the same lines, redacted the same way, at the same level.
 */
export function createLogger(opts: { level?: string; name?: string; alsoTo?: DestinationStream | undefined } = {}, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base: { name: opts.name ?? 'berth' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const main = destination ?? pino.destination(2);
  if (!opts.alsoTo || options.level === 'silent') return pino(options, main);
  const level = options.level as pino.Level;
  return pino(options, pino.multistream([{ stream: main, level }, { stream: opts.alsoTo, level }]));
}

/** A logger that writes nowhere: for tests that do not assert on logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
