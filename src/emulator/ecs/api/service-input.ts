import type { ServiceRecord } from '../records.js';
import { invalidParameter } from '../errors.js';
import { parseConstraints, parseStrategies } from '../scheduler/placement-input.js';
import type { DeploymentConfiguration } from '../model.generated.js';
import { isRecord } from '../validate.js';

export type DeploymentConfigurationInput = DeploymentConfiguration;

type DeploymentSettings = Pick<ServiceRecord, 'maximumPercent' | 'minimumHealthyPercent' | 'circuitBreaker'>;

/** ECS defaults: REPLICA 100 / 200, DAEMON 0 / 100; DAEMON cannot go above 100 (one task per instance). */
export function deploymentSettings(
  raw: DeploymentConfigurationInput | undefined,
  strategy: 'REPLICA' | 'DAEMON',
  current?: DeploymentSettings,
): DeploymentSettings {
  if (raw !== undefined && !isRecord(raw as unknown)) throw invalidParameter('deploymentConfiguration must be a structure.');
  const maximumPercent = raw?.maximumPercent ?? current?.maximumPercent ?? (strategy === 'DAEMON' ? 100 : 200);
  const minimumHealthyPercent = raw?.minimumHealthyPercent ?? current?.minimumHealthyPercent ?? (strategy === 'DAEMON' ? 0 : 100);
  if (!Number.isInteger(minimumHealthyPercent) || minimumHealthyPercent < 0 || minimumHealthyPercent > 100) {
    throw invalidParameter('minimumHealthyPercent must be between 0 and 100.');
  }
  if (!Number.isInteger(maximumPercent) || maximumPercent < 100 || maximumPercent > 200_000) {
    throw invalidParameter('maximumPercent must be at least 100.');
  }
  if (strategy === 'DAEMON' && maximumPercent !== 100) throw invalidParameter('The maximumPercent of a DAEMON service must be 100.');
  const cb = raw?.deploymentCircuitBreaker;
  if (cb !== undefined && (!isRecord(cb as unknown) || typeof cb.enable !== 'boolean' || typeof cb.rollback !== 'boolean')) {
    throw invalidParameter('deploymentCircuitBreaker needs enable and rollback (booleans).');
  }
  const circuitBreaker = cb ? { enable: cb.enable!, rollback: cb.rollback! } : (current?.circuitBreaker ?? { enable: false, rollback: false });
  return { maximumPercent, minimumHealthyPercent, circuitBreaker };
}

/** Placement as stored on the service: validated now, parsed again by the controller on each pass. */
export function placementSettings(
  constraints: unknown[] | undefined,
  strategy: unknown[] | undefined,
  scheduling: 'REPLICA' | 'DAEMON',
): Pick<ServiceRecord, 'placementConstraints' | 'placementStrategy'> {
  parseConstraints(constraints);
  parseStrategies(strategy);
  if (scheduling === 'DAEMON' && (strategy?.length ?? 0) > 0) {
    throw invalidParameter('Placement strategies are not supported with the DAEMON scheduling strategy.');
  }
  return {
    placementConstraints: (constraints ?? []) as ServiceRecord['placementConstraints'],
    placementStrategy: (strategy ?? []) as ServiceRecord['placementStrategy'],
  };
}

export function checkDesiredCount(n: number | undefined): void {
  if (n !== undefined && (n < 0 || n > 100_000)) throw invalidParameter('desiredCount must be between 0 and 100000.');
}

export function checkGracePeriod(n: number | undefined): void {
  if (n !== undefined && (n < 0 || n > 2_147_483_647)) throw invalidParameter('healthCheckGracePeriodSeconds must not be negative.');
}
