/**
 * Container secrets as the agent reads them from ACS (`secrets` of a container, acs-api-2.json Secret) and what
 * a valueFrom names. berth injects ENVIRONMENT_VARIABLE secrets with target CONTAINER; log-driver, bootstrap
 * and mount-point secrets are not supported (the capabilities for them are not advertised), so a task that
 * carries one is refused at parse rather than started without it.
 *
 * A Secrets Manager valueFrom is a full ARN, optionally followed by `:json-key:version-stage:version-id`
 * (the CloudFormation dynamic-reference form the official agent follows; empty parts mean "not set"):
 *
 *   arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf
 *   arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password:AWSPREVIOUS:
 */
import type { AcsSecret } from '../../shared/protocol/acs.js';
import type { SecretSpec } from '../model/task.js';

export function parseSecrets(v: AcsSecret[] | undefined, container: string, fail: (why: string) => never): { secrets?: SecretSpec[] } {
  if (v === undefined || v === null) return {};
  if (!Array.isArray(v)) fail(`${container}.secrets is not a list`);
  const out = v.map((s, i): SecretSpec => {
    const where = `${container}.secrets[${i}]`;
    if (typeof s?.name !== 'string' || s.name === '') fail(`${where}.name is missing`);
    if (typeof s.valueFrom !== 'string' || s.valueFrom === '') fail(`${where}.valueFrom is missing`);
    const type = s.type ?? 'ENVIRONMENT_VARIABLE';
    const target = s.target ?? 'CONTAINER';
    if (type !== 'ENVIRONMENT_VARIABLE' || (target !== 'CONTAINER' && target !== 'LOG_DRIVER')) fail(`${where}: secrets of type ${type} for ${target} are not supported`);
    if (s.provider !== 'asm' && s.provider !== 'ssm') fail(`${where}.provider ${String(s.provider)} is not asm or ssm`);
    if (s.provider === 'asm' && !parseAsmValueFrom(s.valueFrom)) fail(`${where}.valueFrom is not a Secrets Manager secret ARN`);
    return { name: s.name, valueFrom: s.valueFrom, provider: s.provider, region: typeof s.region === 'string' ? s.region : '', ...(target === 'LOG_DRIVER' ? { target } : {}) };
  });
  return out.length ? { secrets: out } : {};
}

/** What GetSecretValue is asked for a Secrets Manager valueFrom, and which JSON key of the answer is the value. */
export interface AsmReference {
  /** The secret's ARN without the suffix. */
  secretId: string;
  /** The ARN's region. */
  region: string;
  jsonKey: string | undefined;
  versionStage: string | undefined;
  versionId: string | undefined;
}

const ASM_ARN = /^(arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:[^:]+)(?::([^:]*):([^:]*):([^:]*))?$/;

export function parseAsmValueFrom(valueFrom: string): AsmReference | undefined {
  const m = ASM_ARN.exec(valueFrom);
  if (!m) return undefined;
  const opt = (x: string | undefined): string | undefined => (x ? x : undefined);
  return { secretId: m[1]!, region: m[2]!, jsonKey: opt(m[3]), versionStage: opt(m[4]), versionId: opt(m[5]) };
}
