/**
 * The configuration around the local endpoints and the agent's own log files (spec §1.3, §8): the TMDS rate
 * limit, the AvailabilityZone switch, the credentials audit log, the host filter rules ecs-init installs, and
 * ECS_LOGFILE with its ECS_LOG_* rotation. Kept apart from config.ts so that file stays small; config.ts
 * spreads the result into AgentConfig.
 *
 * Invalid values behave as in the official agent: ECS_TASK_METADATA_RPS_LIMIT falls back to 40,60 (its
 * config validation resets non-positive rates), ECS_LOG_MAX_* fall back to their defaults, booleans that do
 * not parse count as unset. Paths must be absolute: a relative log path would depend on the working directory.
 */
import path from 'node:path';
import { BerthError } from '../../shared/errors.js';

export interface LogRotation {
  /** ECS_LOG_ROLLOVER_TYPE: 'hourly' (the official default; seelog's "date") or 'size'. */
  readonly type: 'hourly' | 'size';
  /** ECS_LOG_MAX_FILE_SIZE_MB (size rollover only), in bytes: MB * 1,000,000 like the official agent. */
  readonly maxFileBytes: number;
  /** ECS_LOG_MAX_ROLL_COUNT: rotated files kept beside the live one. */
  readonly maxRollCount: number;
}

export interface LocalEndpointSettings {
  /** ECS_TASK_METADATA_RPS_LIMIT "rate,burst": the token bucket shared by every TMDS request (default 40,60). */
  readonly taskMetadataRateLimit: { readonly ratePerSecond: number; readonly burst: number };
  /** ECS_DISABLE_TASK_METADATA_AZ: leave AvailabilityZone out of TMDS task responses. */
  readonly disableTaskMetadataAz: boolean;
  /**
   * ECS_AUDIT_LOGFILE: one line per credentials request (http/credentials-audit.ts). undefined when
   * ECS_AUDIT_LOGFILE_DISABLED is true. Default <ECS_DATADIR>/log/audit.log (official: /log/audit.log in the
   * agent container, /var/log/ecs/audit.log on the host; berth runs on the host and keeps it with its state).
   */
  readonly auditLogFile: string | undefined;
  /** ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS: introspection listens on all interfaces and no DROP rule is made. */
  readonly allowOffhostIntrospection: boolean;
  /** ECS_SKIP_LOCALHOST_TRAFFIC_FILTER: no filter INPUT rule dropping off-host packets to 127.0.0.0/8. */
  readonly skipLocalhostTrafficFilter: boolean;
  /** ECS_LOGFILE: the agent's log lines also go to this file (stderr stays as it is); undefined = none. */
  readonly logFile: string | undefined;
  /** ECS_LOG_ROLLOVER_TYPE / ECS_LOG_MAX_FILE_SIZE_MB / ECS_LOG_MAX_ROLL_COUNT: for ECS_LOGFILE and the audit log. */
  readonly logRotation: LogRotation;
}

export const DEFAULT_RPS_LIMIT = Object.freeze({ ratePerSecond: 40, burst: 60 });

/** "rate,burst" as the official parseTaskMetadataThrottles reads it; undefined when it is not two positive integers. */
export function parseRpsLimit(raw: string): { ratePerSecond: number; burst: number } | undefined {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.length !== 2 || !parts.every((p) => /^\+?\d+$/.test(p))) return undefined;
  const [rate, burst] = parts.map(Number) as [number, number];
  return rate > 0 && burst > 0 ? { ratePerSecond: rate, burst } : undefined;
}

export interface SettingsSource {
  str(name: string): string | undefined;
  bool(name: string, dflt: boolean): boolean;
}

function absolutePath(name: string, v: string): string {
  if (!path.isAbsolute(v)) throw new BerthError('ConfigError', `${name}=${JSON.stringify(v)}: expected an absolute path`);
  return v;
}

function positiveNumber(v: string | undefined, dflt: number, integer: boolean): number {
  if (v === undefined) return dflt;
  const n = Number(v.trim());
  return Number.isFinite(n) && n > 0 && (!integer || Number.isInteger(n)) ? n : dflt;
}

export function localEndpointSettings(src: SettingsSource, dataDir: string): LocalEndpointSettings {
  const rps = src.str('ECS_TASK_METADATA_RPS_LIMIT');
  const audit = src.str('ECS_AUDIT_LOGFILE');
  const logFile = src.str('ECS_LOGFILE');
  return {
    taskMetadataRateLimit: (rps === undefined ? undefined : parseRpsLimit(rps)) ?? DEFAULT_RPS_LIMIT,
    disableTaskMetadataAz: src.bool('ECS_DISABLE_TASK_METADATA_AZ', false),
    auditLogFile: src.bool('ECS_AUDIT_LOGFILE_DISABLED', false)
      ? undefined
      : audit === undefined
        ? path.join(path.resolve(dataDir), 'log', 'audit.log')
        : absolutePath('ECS_AUDIT_LOGFILE', audit),
    allowOffhostIntrospection: src.bool('ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS', false),
    skipLocalhostTrafficFilter: src.bool('ECS_SKIP_LOCALHOST_TRAFFIC_FILTER', false),
    logFile: logFile === undefined ? undefined : absolutePath('ECS_LOGFILE', logFile),
    logRotation: Object.freeze({
      type: src.str('ECS_LOG_ROLLOVER_TYPE') === 'size' ? 'size' : 'hourly',
      maxFileBytes: Math.round(positiveNumber(src.str('ECS_LOG_MAX_FILE_SIZE_MB'), 10, false) * 1_000_000),
      maxRollCount: positiveNumber(src.str('ECS_LOG_MAX_ROLL_COUNT'), 24, true),
    }),
  };
}
