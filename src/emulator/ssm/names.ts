/**
 * Parameter names and ARNs (Parameter Store rules): `name` or a hierarchy `/a/b/c` (at most 15 levels), letters,
 * digits and `_.-/`, at most 2048 characters, not starting with `aws` or `ssm`. The ARN of `/a/b` and of `a/b`
 * is `arn:aws:ssm:<region>:<account>:parameter/a/b`: the leading slash is not repeated.
 */
import { validation } from './errors.js';
import { ssm } from './service.js';

const CHARS = /^[A-Za-z0-9_.\-/]+$/;
const ARN = /^arn:aws[a-z-]*:ssm:([a-z0-9-]+):(\d{12}):parameter(\/.+)$/;

export function parameterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, '')}`;
}

/** Throws the ValidationException Parameter Store answers for a name it would not create. */
export function checkParameterName(name: string): void {
  if (name.length < 1 || name.length > 2048) {
    throw validation(`1 validation error detected: Value '${name.slice(0, 100)}' at 'name' failed to satisfy constraint: Member must have length between 1 and 2048`);
  }
  if (!CHARS.test(name)) {
    throw validation('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_');
  }
  if (/^\/?(aws|ssm)/i.test(name)) throw validation('Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).');
  if (name.includes('/') && !name.startsWith('/')) throw validation('Parameter name must be a fully qualified name.');
  if (name.endsWith('/') || name.includes('//')) throw validation('Parameter name must be a fully qualified name.');
  if (name.split('/').length - 1 > 15) {
    throw ssm.error('HierarchyLevelLimitExceededException', 'Parameter name cannot have more than 15 levels of hierarchy.');
  }
}

export interface ParsedParameterArn {
  region: string;
  accountId: string;
  /** The resource path, with its leading slash ("/a/b" for parameter/a/b). */
  path: string;
}

export function parseParameterArn(arn: string): ParsedParameterArn | undefined {
  const m = ARN.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, path: m[3]! } : undefined;
}
