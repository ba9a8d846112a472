/**
 * The Parameter Store operations berth emulates, enough for ECS container secrets (`secrets` with an SSM
 * valueFrom, read by the agent with one GetParameters per region) and for users to manage them with the aws CLI:
 * PutParameter (String, StringList, SecureString; Overwrite), GetParameters, GetParameter, DeleteParameter.
 *
 * A parameter is named by its name or its ARN; the answer names it the way the request did (the official agent
 * matches GetParameters results to valueFrom by that name). SecureString values are stored as given (there is
 * no KMS) and are returned only WithDecryption; without it the answer carries an opaque stand-in ciphertext.
 * Values are never logged.
 */
import { createHash } from 'node:crypto';
import { epochSeconds } from '../../shared/time.js';
import type { ServiceDeps } from '../aws/service-deps.js';
import type { ParameterRecord } from '../store/records.js';
import { parameterNotFound, SsmError, validation } from './errors.js';
import { checkParameterName, parameterArn } from './names.js';

type Input = Record<string, unknown>;
export type SsmOperation = (ctx: ServiceDeps, input: Input) => Record<string, unknown>;

const TYPES = ['String', 'StringList', 'SecureString'] as const;
const MAX_NAMES = 10;

function str(input: Input, key: string, required = false): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) {
    if (required) throw validation(`1 validation error detected: Value null at '${key[0]!.toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  if (typeof v !== 'string') throw new SsmError('SerializationException', `Invalid type for ${key}: expected a string.`);
  return v;
}

function bool(input: Input, key: string): boolean {
  const v = input[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new SsmError('SerializationException', `Invalid type for ${key}: expected a boolean.`);
  return v;
}

/** Name or ARN -> the record. */
function find(ctx: ServiceDeps, id: string): ParameterRecord | undefined {
  return id.startsWith('arn:') ? ctx.store.getParameterByArn(id) : ctx.store.getParameter(id);
}

/** Stands in for KMS ciphertext: stable per value, and no way back to it. */
function ciphertext(value: string): string {
  return `AQICAH${createHash('sha256').update(value).digest('base64')}`;
}

function view(rec: ParameterRecord, requestedAs: string, decrypt: boolean): Record<string, unknown> {
  return {
    Name: requestedAs,
    Type: rec.type,
    Value: rec.type === 'SecureString' && !decrypt ? ciphertext(rec.value) : rec.value,
    Version: rec.version,
    LastModifiedDate: epochSeconds(rec.lastModifiedAt),
    ARN: rec.arn,
    DataType: 'text',
  };
}

const putParameter: SsmOperation = (ctx, input) => {
  const name = str(input, 'Name', true)!;
  checkParameterName(name);
  const value = str(input, 'Value', true)!;
  const tier = str(input, 'Tier') ?? 'Standard';
  if (!['Standard', 'Advanced', 'Intelligent-Tiering'].includes(tier)) throw validation(`1 validation error detected: Value '${tier}' at 'tier' failed to satisfy constraint: Member must satisfy enum value set: [Advanced, Intelligent-Tiering, Standard]`);
  const max = tier === 'Standard' ? 4096 : 8192;
  if (value.length === 0) throw validation("1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1");
  if (value.length > max) throw validation(`${tier} tier parameters support a maximum parameter value of ${max} characters.`);
  const type = str(input, 'Type');
  if (type !== undefined && !(TYPES as readonly string[]).includes(type)) {
    throw validation(`1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`);
  }
  const description = str(input, 'Description');
  if (description !== undefined && description.length > 1024) throw validation('Parameter description must be at most 1024 characters.');
  const keyId = str(input, 'KeyId');
  const existing = ctx.store.getParameter(name);
  if (existing && !bool(input, 'Overwrite')) {
    throw new SsmError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
  }
  if (!existing && type === undefined) throw validation('A parameter type is required when you create a parameter.');
  const effectiveType = (type ?? existing!.type) as ParameterRecord['type'];
  if (keyId !== undefined && effectiveType !== 'SecureString') throw validation('KeyId is required for SecureString type parameter only.');
  const rec: ParameterRecord = {
    name,
    arn: parameterArn(ctx.account.region, ctx.account.accountId, name),
    type: effectiveType,
    value,
    version: (existing?.version ?? 0) + 1,
    ...(description !== undefined ? { description } : existing?.description !== undefined ? { description: existing.description } : {}),
    ...(keyId !== undefined ? { keyId } : {}),
    lastModifiedAt: ctx.now(),
  };
  ctx.store.putParameter(rec);
  return { Version: rec.version, Tier: tier === 'Intelligent-Tiering' ? 'Standard' : tier };
};

const getParameters: SsmOperation = (ctx, input) => {
  const names = input['Names'];
  if (names === undefined || names === null) throw validation("1 validation error detected: Value null at 'names' failed to satisfy constraint: Member must not be null");
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new SsmError('SerializationException', 'Invalid type for Names: expected a list of strings.');
  if (names.length < 1 || names.length > MAX_NAMES) {
    throw validation(`1 validation error detected: Value '[${names.join(', ')}]' at 'names' failed to satisfy constraint: Member must have length less than or equal to ${MAX_NAMES} and greater than or equal to 1`);
  }
  const decrypt = bool(input, 'WithDecryption');
  const parameters: Record<string, unknown>[] = [];
  const invalid: string[] = [];
  for (const id of new Set(names as string[])) {
    const rec = find(ctx, id);
    if (rec) parameters.push(view(rec, id, decrypt));
    else invalid.push(id);
  }
  return { Parameters: parameters, InvalidParameters: invalid };
};

const getParameter: SsmOperation = (ctx, input) => {
  const id = str(input, 'Name', true)!;
  const decrypt = bool(input, 'WithDecryption');
  const rec = find(ctx, id);
  if (!rec) throw parameterNotFound(id);
  return { Parameter: view(rec, id, decrypt) };
};

const deleteParameter: SsmOperation = (ctx, input) => {
  const id = str(input, 'Name', true)!;
  const rec = find(ctx, id);
  if (!rec) throw parameterNotFound(id);
  ctx.store.deleteParameter(rec.name);
  return {};
};

export const SSM_OPERATIONS: Readonly<Record<string, SsmOperation>> = {
  PutParameter: putParameter,
  GetParameters: getParameters,
  GetParameter: getParameter,
  DeleteParameter: deleteParameter,
};
