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
import type { ParameterRecord } from './store.js';
import { parameterNotFound, validation } from './errors.js';
import { ssm, type SsmDeps } from './service.js';
import { checkParameterName, parameterArn } from './names.js';

/** Name or ARN -> the record. */
function find(ctx: SsmDeps, id: string): ParameterRecord | undefined {
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

ssm.operation('PutParameter', {
  errors: ['ParameterAlreadyExists', 'HierarchyLevelLimitExceededException'],
  notEmulated: ['AllowedPattern', 'Tags', 'Policies', 'DataType'],
  handle(ctx, input) {
    const name = input.Name;
    checkParameterName(name);
    const value = input.Value;
    const tier = input.Tier ?? 'Standard';
    const max = tier === 'Standard' ? 4096 : 8192;
    if (value.length === 0) throw validation("1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1");
    if (value.length > max) throw validation(`${tier} tier parameters support a maximum parameter value of ${max} characters.`);
    const type = input.Type;
    const description = input.Description;
    const keyId = input.KeyId;
    const existing = ctx.store.getParameter(name);
    if (existing && input.Overwrite !== true) {
      throw ssm.error('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    }
    if (!existing && type === undefined) throw validation('A parameter type is required when you create a parameter.');
    const effectiveType: ParameterRecord['type'] = type ?? existing!.type;
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
  },
});

// The model bounds Names to 1-10 (the kit has checked it).
ssm.operation('GetParameters', {
  handle(ctx, input) {
    const decrypt = input.WithDecryption === true;
    const parameters: Record<string, unknown>[] = [];
    const invalid: string[] = [];
    for (const id of new Set(input.Names)) {
      const rec = find(ctx, id);
      if (rec) parameters.push(view(rec, id, decrypt));
      else invalid.push(id);
    }
    return { Parameters: parameters, InvalidParameters: invalid };
  },
});

ssm.operation('GetParameter', {
  errors: ['ParameterNotFound'],
  handle(ctx, input) {
    const rec = find(ctx, input.Name);
    if (!rec) throw parameterNotFound(input.Name);
    return { Parameter: view(rec, input.Name, input.WithDecryption === true) };
  },
});

ssm.operation('DeleteParameter', {
  errors: ['ParameterNotFound'],
  handle(ctx, input) {
    const rec = find(ctx, input.Name);
    if (!rec) throw parameterNotFound(input.Name);
    ctx.store.deleteParameter(rec.name);
    return {};
  },
});
