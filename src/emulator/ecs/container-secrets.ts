/**
 * Container `secrets` of a task definition ([{name, valueFrom}], ecs-service-2.json Secret): checked at
 * RegisterTaskDefinition and turned into the ACS form the agent reads (acs-api-2.json Secret: type
 * ENVIRONMENT_VARIABLE, provider asm | ssm, region, target CONTAINER, or LOG_DRIVER for logConfiguration.secretOptions).
 *
 * valueFrom is one of:
 *   arn:aws:secretsmanager:<region>:<account>:secret:<id>                                     provider asm
 *   arn:aws:secretsmanager:<region>:<account>:secret:<id>:<json-key>:<version-stage>:<version-id>  (parts may be empty)
 *   arn:aws:ssm:<region>:<account>:parameter/<name>                                           provider ssm
 *   <parameter name> or /<path>/<name>                                                        provider ssm, the task's region
 */
import type { AcsSecret } from '../../shared/protocol/acs.js';
import { clientError, invalidParameter } from './errors.js';
import { isRecord } from './validate.js';

const ARN = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}):(.+)$/;
const PARAMETER_NAME = /^[A-Za-z0-9_.\-/]{1,2048}$/;

interface SecretRef {
  provider: 'asm' | 'ssm';
  /** The region of an ARN; undefined for a bare parameter name (the task's region). */
  region: string | undefined;
}

/** Where a valueFrom points, or undefined when it is neither a Secrets Manager nor a Parameter Store reference. */
export function secretRef(valueFrom: string): SecretRef | undefined {
  const m = ARN.exec(valueFrom);
  if (!m) return PARAMETER_NAME.test(valueFrom) ? { provider: 'ssm', region: undefined } : undefined;
  const [, , service, region, , resource] = m;
  if (!region) return undefined;
  if (service === 'secretsmanager') {
    // secret:<id> or secret:<id>:<json-key>:<version-stage>:<version-id> (the official agent's two forms).
    const parts = resource!.split(':');
    if (parts[0] !== 'secret' || !parts[1] || (parts.length !== 2 && parts.length !== 5)) return undefined;
    return { provider: 'asm', region };
  }
  if (service === 'ssm') {
    if (!/^parameter\/./.test(resource!)) return undefined;
    return { provider: 'ssm', region };
  }
  return undefined;
}

/**
 * containerDefinitions[i].secrets (or .logConfiguration.secretOptions, `member`): a list of {name, valueFrom},
 * each valueFrom a secret or parameter reference.
 */
export function checkContainerSecrets(v: unknown, i: number, member = 'secrets'): boolean {
  if (v === undefined || v === null) return false;
  const where = `containerDefinitions[${i}].${member}`;
  if (!Array.isArray(v)) throw invalidParameter(`Invalid type for parameter ${where}: expected list`);
  v.forEach((s, j) => {
    if (!isRecord(s)) throw invalidParameter(`Invalid type for parameter ${where}[${j}]: expected structure`);
    if (typeof s['name'] !== 'string' || s['name'] === '') throw invalidParameter(`${where}[${j}].name should not be null or empty.`);
    const valueFrom = s['valueFrom'];
    if (typeof valueFrom !== 'string' || valueFrom === '') throw invalidParameter(`${where}[${j}].valueFrom should not be null or empty.`);
    if (!secretRef(valueFrom)) {
      throw invalidParameter(`${where}[${j}].valueFrom ${valueFrom} is neither a Secrets Manager secret ARN nor an SSM parameter name or ARN.`);
    }
  });
  return v.length > 0;
}

/** ECS refuses container secrets without an execution role: the agent reads them with its credentials. */
export function requireExecutionRole(body: { executionRoleArn?: string }): void {
  const role = body.executionRoleArn;
  if (typeof role !== 'string' || role === '') {
    throw clientError("When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.");
  }
}

/**
 * The ACS form of a container's secrets; a bare parameter name is read in the task's region. Log driver options
 * (logConfiguration.secretOptions) go with target LOG_DRIVER: the agent puts them in the driver's options.
 */
export function acsSecretsFor(secrets: readonly { name?: string; valueFrom?: string }[] | undefined, taskRegion: string, target: 'CONTAINER' | 'LOG_DRIVER' = 'CONTAINER'): AcsSecret[] {
  return (secrets ?? []).flatMap((s) => {
    if (!s.name || !s.valueFrom) return [];
    const ref = secretRef(s.valueFrom);
    if (!ref) return [];
    return [{ name: s.name, valueFrom: s.valueFrom, type: 'ENVIRONMENT_VARIABLE', provider: ref.provider, region: ref.region ?? taskRegion, target }];
  });
}
