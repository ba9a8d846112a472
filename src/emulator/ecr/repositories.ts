/**
 * ECR repositories: CreateRepository, DescribeRepositories, DeleteRepository, PutImageTagMutability,
 * PutImageScanningConfiguration, tags, and the repository policy (stored and returned, as ECR's IAM is not
 * emulated). Names, limits and messages are ECR's ("Amazon ECR service quotas", its API reference).
 */
import { ecr, type EcrDeps } from './service.js';
import type { RepositoryRecord } from './store.js';

const MAX_TAGS = 50;
const DESCRIBE_MAX = 1000;

export function registryIdOf(deps: EcrDeps, registryId: string | undefined): string {
  const own = deps.account.accountId;
  if (registryId !== undefined && registryId !== own) {
    throw ecr.error('InvalidParameterException', `Invalid parameter at 'registryId' failed to satisfy constraint: 'registry ${registryId} is not emulated here: this emulator's ECR registry is ${own}'`);
  }
  return own;
}

/** Repositories need the built-in registry; an external --ecr-registry only hands out tokens. */
export function requireLocal(deps: EcrDeps): NonNullable<EcrDeps['local']> {
  if (!deps.local) {
    throw ecr.error('InvalidParameterException', deps.ecr
      ? `Repositories live in the emulator's own registry; this emulator uses the external registry ${deps.ecr.registry} (--ecr-registry), which berth does not manage.`
      : 'This berth emulator runs without an ECR registry: its own needs /usr/bin/docker-registry (apt-get install docker-registry; scripts/ensure-docker installs it).');
  }
  return deps.local;
}

export function repositoryNotFound(deps: EcrDeps, name: string): Error {
  return ecr.error('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${deps.account.accountId}'`);
}

export function requireRepository(deps: EcrDeps, input: { registryId?: string | undefined; repositoryName: string }): RepositoryRecord {
  registryIdOf(deps, input.registryId);
  requireLocal(deps);
  const repo = deps.store.getRepository(input.repositoryName);
  if (!repo) throw repositoryNotFound(deps, input.repositoryName);
  return repo;
}

export function repositoryArn(deps: EcrDeps, name: string): string {
  return `arn:aws:ecr:${deps.account.region}:${deps.account.accountId}:repository/${name}`;
}

export function repositoryView(deps: EcrDeps, r: RepositoryRecord): Record<string, unknown> {
  return {
    repositoryArn: r.arn,
    registryId: deps.account.accountId,
    repositoryName: r.name,
    repositoryUri: `${requireLocal(deps).host}/${r.name}`,
    createdAt: r.createdAt / 1000,
    imageTagMutability: r.imageTagMutability,
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: { encryptionType: r.encryptionType, ...(r.kmsKey ? { kmsKey: r.kmsKey } : {}) },
  };
}

function checkTags(tags: readonly { Key: string; Value: string }[]): void {
  if (tags.length > MAX_TAGS) throw ecr.error('TooManyTagsException', `The number of tags exceeds the limit of ${MAX_TAGS}.`);
  const keys = new Set<string>();
  for (const t of tags) {
    if (t.Key.startsWith('aws:')) throw ecr.error('InvalidTagParameterException', "Tag keys starting with 'aws:' are reserved.");
    if (keys.has(t.Key)) throw ecr.error('InvalidTagParameterException', `Duplicate tag key: ${t.Key}`);
    keys.add(t.Key);
  }
}

function mergeTags(current: readonly { Key: string; Value: string }[], added: readonly { Key: string; Value: string }[]): { Key: string; Value: string }[] {
  const byKey = new Map(current.map((t) => [t.Key, t.Value]));
  for (const t of added) byKey.set(t.Key, t.Value);
  const merged = [...byKey].map(([Key, Value]) => ({ Key, Value }));
  checkTags(merged);
  return merged;
}

/** A repository ARN of this registry -> the repository. */
function repositoryFromArn(deps: EcrDeps, arn: string): RepositoryRecord {
  const prefix = `arn:aws:ecr:${deps.account.region}:${deps.account.accountId}:repository/`;
  if (!arn.startsWith(prefix)) throw ecr.error('InvalidParameterException', `Invalid parameter at 'resourceArn' failed to satisfy constraint: '${arn} is not a repository of this registry'`);
  return requireRepository(deps, { repositoryName: arn.slice(prefix.length) });
}

ecr.operation('CreateRepository', {
  errors: ['InvalidParameterException', 'InvalidTagParameterException', 'TooManyTagsException', 'RepositoryAlreadyExistsException'],
  // Tag mutability exclusion filters (the *_WITH_EXCLUSION settings) are not emulated.
  notEmulated: ['imageTagMutabilityExclusionFilters'],
  handle(deps, input) {
    registryIdOf(deps, input.registryId);
    requireLocal(deps);
    const name = input.repositoryName;
    if (deps.store.getRepository(name)) {
      throw ecr.error('RepositoryAlreadyExistsException', `The repository with name '${name}' already exists in the registry with id '${deps.account.accountId}'`);
    }
    const mutability = input.imageTagMutability ?? 'MUTABLE';
    if (mutability !== 'MUTABLE' && mutability !== 'IMMUTABLE') {
      throw ecr.error('InvalidParameterException', `imageTagMutability ${mutability} needs imageTagMutabilityExclusionFilters, which berth does not emulate`);
    }
    const tags = input.tags ?? [];
    checkTags(tags);
    const encryption = input.encryptionConfiguration;
    if (encryption?.encryptionType === 'AES256' && encryption.kmsKey !== undefined) {
      throw ecr.error('InvalidParameterException', 'Invalid parameter at \'encryptionConfiguration\' failed to satisfy constraint: \'kmsKey can be specified only with encryptionType KMS\'');
    }
    const rec: RepositoryRecord = {
      name,
      arn: repositoryArn(deps, name),
      createdAt: deps.now(),
      imageTagMutability: mutability,
      scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
      encryptionType: encryption?.encryptionType ?? 'AES256',
      kmsKey: encryption?.kmsKey ?? (encryption?.encryptionType?.startsWith('KMS') ? `arn:aws:kms:${deps.account.region}:${deps.account.accountId}:alias/aws/ecr` : undefined),
      tags,
    };
    deps.store.putRepository(rec);
    return { repository: repositoryView(deps, rec) };
  },
});

ecr.operation('DescribeRepositories', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException'],
  handle(deps, input) {
    registryIdOf(deps, input.registryId);
    requireLocal(deps);
    if (input.repositoryNames !== undefined && (input.nextToken !== undefined || input.maxResults !== undefined)) {
      throw ecr.error('InvalidParameterException', 'Invalid parameter: nextToken and maxResults cannot be used with repositoryNames');
    }
    if (input.repositoryNames !== undefined) {
      const found = input.repositoryNames.map((n) => deps.store.getRepository(n) ?? (() => { throw repositoryNotFound(deps, n); })());
      return { repositories: found.map((r) => repositoryView(deps, r)) };
    }
    const all = deps.store.listRepositories();
    const start = input.nextToken === undefined ? 0 : pageStart(input.nextToken, all.map((r) => r.name));
    const n = input.maxResults ?? DESCRIBE_MAX;
    const page = all.slice(start, start + n);
    const more = start + n < all.length;
    return { repositories: page.map((r) => repositoryView(deps, r)), ...(more ? { nextToken: pageToken(page[page.length - 1]!.name) } : {}) };
  },
});

export function pageToken(after: string): string {
  return Buffer.from(JSON.stringify({ after })).toString('base64');
}

/** Index of the first item after the token's key in `keys` (sorted as the listing is). */
export function pageStart(token: string, keys: readonly string[]): number {
  let after: unknown;
  try {
    after = (JSON.parse(Buffer.from(token, 'base64').toString()) as { after?: unknown }).after;
  } catch {
    after = undefined;
  }
  if (typeof after !== 'string') throw ecr.error('InvalidParameterException', "Invalid parameter at 'nextToken' failed to satisfy constraint: 'the token is not valid'");
  const i = keys.indexOf(after);
  return i < 0 ? keys.findIndex((k) => k > after) : i + 1;
}

ecr.operation('DeleteRepository', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException', 'RepositoryNotEmptyException'],
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    const images = deps.store.listImages(repo.name);
    if (images.length > 0 && !input.force) {
      throw ecr.error('RepositoryNotEmptyException', `The repository with name '${repo.name}' in registry with id '${deps.account.accountId}' cannot be deleted because it still contains images`);
    }
    for (const image of images) deps.store.forget(repo.name, image.digest);
    deps.store.deleteRepository(repo.name);
    deps.local?.sweepSoon();
    return { repository: repositoryView(deps, repo) };
  },
});

ecr.operation('PutImageTagMutability', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException'],
  notEmulated: ['imageTagMutabilityExclusionFilters'],
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    if (input.imageTagMutability !== 'MUTABLE' && input.imageTagMutability !== 'IMMUTABLE') {
      throw ecr.error('InvalidParameterException', `imageTagMutability ${input.imageTagMutability} needs imageTagMutabilityExclusionFilters, which berth does not emulate`);
    }
    deps.store.putRepository({ ...repo, imageTagMutability: input.imageTagMutability });
    return { registryId: deps.account.accountId, repositoryName: repo.name, imageTagMutability: input.imageTagMutability };
  },
});

ecr.operation('PutImageScanningConfiguration', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException'],
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    deps.store.putRepository({ ...repo, scanOnPush: input.imageScanningConfiguration.scanOnPush ?? false });
    return { registryId: deps.account.accountId, repositoryName: repo.name, imageScanningConfiguration: { scanOnPush: input.imageScanningConfiguration.scanOnPush ?? false } };
  },
});

ecr.operation('TagResource', {
  errors: ['InvalidParameterException', 'InvalidTagParameterException', 'TooManyTagsException', 'RepositoryNotFoundException'],
  handle(deps, input) {
    const repo = repositoryFromArn(deps, input.resourceArn);
    deps.store.putRepository({ ...repo, tags: mergeTags(repo.tags, input.tags) });
    return {};
  },
});

ecr.operation('UntagResource', {
  errors: ['InvalidParameterException', 'InvalidTagParameterException', 'RepositoryNotFoundException'],
  handle(deps, input) {
    const repo = repositoryFromArn(deps, input.resourceArn);
    deps.store.putRepository({ ...repo, tags: repo.tags.filter((t) => !input.tagKeys.includes(t.Key)) });
    return {};
  },
});

ecr.operation('ListTagsForResource', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException'],
  handle(deps, input) {
    return { tags: repositoryFromArn(deps, input.resourceArn).tags };
  },
});

ecr.operation('SetRepositoryPolicy', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException'],
  // ECR checks the policy only loosely unless force is false; berth stores any JSON object and enforces nothing.
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    let doc: unknown;
    try {
      doc = JSON.parse(input.policyText);
    } catch {
      doc = undefined;
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw ecr.error('InvalidParameterException', "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'");
    }
    deps.store.putRepository({ ...repo, repositoryPolicy: input.policyText });
    return { registryId: deps.account.accountId, repositoryName: repo.name, policyText: input.policyText };
  },
});

ecr.operation('GetRepositoryPolicy', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException', 'RepositoryPolicyNotFoundException'],
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    if (repo.repositoryPolicy === undefined) {
      throw ecr.error('RepositoryPolicyNotFoundException', `Repository policy does not exist for the repository with name '${repo.name}' in the registry with id '${deps.account.accountId}'`);
    }
    return { registryId: deps.account.accountId, repositoryName: repo.name, policyText: repo.repositoryPolicy };
  },
});

ecr.operation('DeleteRepositoryPolicy', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException', 'RepositoryPolicyNotFoundException'],
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    if (repo.repositoryPolicy === undefined) {
      throw ecr.error('RepositoryPolicyNotFoundException', `Repository policy does not exist for the repository with name '${repo.name}' in the registry with id '${deps.account.accountId}'`);
    }
    deps.store.putRepository({ ...repo, repositoryPolicy: undefined });
    return { registryId: deps.account.accountId, repositoryName: repo.name, policyText: repo.repositoryPolicy };
  },
});

ecr.operation('DescribeRegistry', {
  errors: ['InvalidParameterException'],
  handle(deps) {
    return { registryId: deps.account.accountId, replicationConfiguration: { rules: [] } };
  },
});
