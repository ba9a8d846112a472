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

export function createLogger(opts: { level?: string; name?: string } = {}, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base: { name: opts.name ?? 'berth' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options, pino.destination(2));
}

/** A logger that writes nowhere: for tests that do not assert on logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
