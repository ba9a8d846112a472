/**
 * The Secrets Manager operations berth emulates, enough for private registry credentials (ECS
 * repositoryCredentials) and for users to manage them with the aws CLI: CreateSecret, GetSecretValue,
 * DescribeSecret, DeleteSecret, ListSecrets. One current version per secret (stage AWSCURRENT).
 *
 * A secret is named by its name, its full ARN, or its ARN without the 6-character suffix (a partial ARN), as in
 * Secrets Manager. Values are stored in the emulator's SQLite store and never logged.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { epochSeconds } from '../../shared/time.js';
import type { SecretRecord } from './store.js';
import { invalidParameter, secretNotFound } from './errors.js';
import { secretsManager, type SecretsManagerDeps } from './service.js';

const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MAX_VALUE_BYTES = 65_536;

function arnFor(ctx: SecretsManagerDeps, name: string): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return `arn:aws:secretsmanager:${ctx.account.region}:${ctx.account.accountId}:secret:${name}-${suffix}`;
}

/** Name, full ARN or partial ARN (without "-XXXXXX") -> the record; deleted-for-good secrets are not found. */
export function findSecret(ctx: SecretsManagerDeps, secretId: string): SecretRecord | undefined {
  if (!secretId.startsWith('arn:')) return ctx.store.getSecret(secretId);
  return ctx.store.listSecrets().find((s) => s.arn === secretId || s.arn.slice(0, -7) === secretId);
}

function requireSecret(ctx: SecretsManagerDeps, id: string): SecretRecord {
  const secret = findSecret(ctx, id);
  if (!secret) throw secretNotFound();
  return secret;
}

function refuseIfDeleted(secret: SecretRecord, action: string): void {
  if (secret.deletedAt !== undefined) {
    throw secretsManager.error('InvalidRequestException', `You can't perform this operation on the secret because it was marked for deletion. (${action})`);
  }
}

function value(input: { SecretString?: string; SecretBinary?: string }): { secretString?: string; secretBinary?: string } {
  const secretString = input.SecretString;
  const secretBinary = input.SecretBinary;
  if (secretString !== undefined && secretBinary !== undefined) {
    throw invalidParameter('You can\'t specify both a binary secret value and a string secret value in the same secret.');
  }
  if (secretString !== undefined && Buffer.byteLength(secretString) > MAX_VALUE_BYTES) throw invalidParameter('SecretString must be at most 65536 bytes.');
  if (secretBinary !== undefined && Buffer.from(secretBinary, 'base64').length > MAX_VALUE_BYTES) throw invalidParameter('SecretBinary must be at most 65536 bytes.');
  return { ...(secretString !== undefined ? { secretString } : {}), ...(secretBinary !== undefined ? { secretBinary } : {}) };
}

secretsManager.operation('CreateSecret', {
  errors: ['ResourceExistsException', 'InvalidRequestException', 'InvalidParameterException'],
  notEmulated: ['KmsKeyId', 'Tags', 'AddReplicaRegions', 'ForceOverwriteReplicaSecret', 'Type'],
  handle(ctx, input) {
    const name = input.Name;
    if (!NAME.test(name)) {
      throw invalidParameter('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
    }
    const existing = ctx.store.getSecret(name);
    if (existing) {
      const message = existing.deletedAt !== undefined
        ? `You can't create this secret because a secret with this name is already scheduled for deletion.`
        : `The operation failed because the secret ${name} already exists.`;
      throw secretsManager.error(existing.deletedAt !== undefined ? 'InvalidRequestException' : 'ResourceExistsException', message);
    }
    const v = value(input);
    const hasValue = v.secretString !== undefined || v.secretBinary !== undefined;
    const token = input.ClientRequestToken;
    const now = ctx.now();
    const description = input.Description;
    const rec: SecretRecord = {
      name,
      arn: arnFor(ctx, name),
      ...(description !== undefined ? { description } : {}),
      ...(hasValue ? { versionId: token ?? randomUUID(), ...v } : {}),
      createdAt: now,
      lastChangedAt: now,
    };
    ctx.store.putSecret(rec);
    return { ARN: rec.arn, Name: rec.name, ...(rec.versionId ? { VersionId: rec.versionId } : {}) };
  },
});

secretsManager.operation('GetSecretValue', {
  errors: ['ResourceNotFoundException', 'InvalidRequestException'],
  handle(ctx, input) {
    const secret = requireSecret(ctx, input.SecretId);
    refuseIfDeleted(secret, 'GetSecretValue');
    const stage = input.VersionStage;
    const version = input.VersionId;
    const wrongVersion = version !== undefined && version !== secret.versionId;
    if (secret.versionId === undefined || wrongVersion || (stage !== undefined && stage !== 'AWSCURRENT')) {
      throw secretsManager.error('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${version !== undefined ? `VersionId: ${version}` : `staging label: ${stage ?? 'AWSCURRENT'}`}`);
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: secret.versionId,
      ...(secret.secretString !== undefined ? { SecretString: secret.secretString } : {}),
      ...(secret.secretBinary !== undefined ? { SecretBinary: secret.secretBinary } : {}),
      VersionStages: ['AWSCURRENT'],
      CreatedDate: epochSeconds(secret.lastChangedAt),
    };
  },
});

function describe(secret: SecretRecord): Record<string, unknown> {
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description !== undefined ? { Description: secret.description } : {}),
    CreatedDate: epochSeconds(secret.createdAt),
    LastChangedDate: epochSeconds(secret.lastChangedAt),
    ...(secret.deletedAt !== undefined ? { DeletedDate: epochSeconds(secret.deletedAt) } : {}),
    ...(secret.versionId !== undefined ? { SecretVersionsToStages: { [secret.versionId]: ['AWSCURRENT'] } } : {}),
  };
}

secretsManager.operation('DescribeSecret', {
  errors: ['ResourceNotFoundException'],
  handle: (ctx, input) => describe(requireSecret(ctx, input.SecretId)),
});

const DAY_MS = 24 * 60 * 60_000;

secretsManager.operation('DeleteSecret', {
  errors: ['ResourceNotFoundException', 'InvalidParameterException', 'InvalidRequestException'],
  handle(ctx, input) {
    const secret = requireSecret(ctx, input.SecretId);
    const force = input.ForceDeleteWithoutRecovery;
    const windowDays = input.RecoveryWindowInDays;
    if (force === true && windowDays !== undefined) {
      throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    const days = windowDays ?? 30;
    if (force !== true && (days < 7 || days > 30)) throw invalidParameter('RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    const now = ctx.now();
    if (force === true) {
      ctx.store.deleteSecret(secret.name);
      return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(now) };
    }
    refuseIfDeleted(secret, 'DeleteSecret');
    ctx.store.putSecret({ ...secret, deletedAt: now });
    return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(now + days * DAY_MS) };
  },
});

secretsManager.operation('ListSecrets', {
  errors: ['InvalidNextTokenException'],
  notEmulated: ['Filters', 'SortOrder', 'SortBy'],
  handle(ctx, input) {
    // The model bounds MaxResults to 1-100 (the kit has checked it).
    const max = input.MaxResults ?? 100;
    const includeDeleted = input.IncludePlannedDeletion === true;
    const all = ctx.store.listSecrets().filter((s) => includeDeleted || s.deletedAt === undefined);
    let start = 0;
    const token = input.NextToken;
    if (token !== undefined) {
      const m = /^berth-secrets:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
      if (!m) throw secretsManager.error('InvalidNextTokenException', 'The NextToken value is invalid.');
      start = Number(m[1]);
    }
    const end = start + max;
    return {
      SecretList: all.slice(start, end).map(describe),
      ...(end < all.length ? { NextToken: Buffer.from(`berth-secrets:${end}`).toString('base64') } : {}),
    };
  },
});
