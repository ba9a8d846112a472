/**
 * Lifecycle policy operations (Put/Get/DeleteLifecyclePolicy, StartLifecyclePolicyPreview,
 * GetLifecyclePolicyPreview) and the expiry itself: `expireImages` applies a repository's policy, deleting what
 * it expires from ECR and (after the commit) from the registry. The emulator runs it on a schedule and right
 * after a policy is put.
 */
import { ecr, type EcrDeps } from './service.js';
import { requireRepository } from './repositories.js';
import { deleteImage } from './images.js';
import { evaluateLifecycle, LifecyclePolicyError, parseLifecyclePolicy, type Expiry } from './lifecycle-policy.js';
import type { RepositoryRecord } from './store.js';

function parseOrRefuse(text: string): ReturnType<typeof parseLifecyclePolicy> {
  try {
    return parseLifecyclePolicy(text);
  } catch (err) {
    if (err instanceof LifecyclePolicyError) {
      throw ecr.error('InvalidParameterException', `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${err.message}'`);
    }
    throw err;
  }
}

function notFound(deps: EcrDeps, repo: RepositoryRecord): Error {
  return ecr.error('LifecyclePolicyNotFoundException', `Lifecycle policy does not exist for the repository with name '${repo.name}' in the registry with id '${deps.account.accountId}'`);
}

function evaluate(deps: EcrDeps, repo: RepositoryRecord, text: string): Expiry[] {
  const images = deps.store.listImages(repo.name).map((i) => ({ digest: i.digest, tags: deps.store.tagsOf(repo.name, i.digest), pushedAt: i.pushedAt }));
  return evaluateLifecycle(parseOrRefuse(text), images, deps.now());
}

/** Applies the repository's lifecycle policy now; returns the digests it expired. Runs inside a transaction. */
export function expireImages(deps: EcrDeps, repositoryName: string): string[] {
  const repo = deps.store.getRepository(repositoryName);
  if (!repo?.lifecyclePolicy) return [];
  const expired: string[] = [];
  for (const e of evaluate(deps, repo, repo.lifecyclePolicy.text)) {
    const image = deps.store.getImage(repo.name, e.digest);
    if (image && deleteImage(deps, repo, image, undefined)) expired.push(e.digest);
  }
  if (expired.length) deps.log.info({ repository: repo.name, expired: expired.length }, 'lifecycle policy expired images');
  return expired;
}

ecr.operation('PutLifecyclePolicy', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException'],
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    parseOrRefuse(input.lifecyclePolicyText);
    deps.store.putRepository({ ...repo, lifecyclePolicy: { text: input.lifecyclePolicyText, updatedAt: deps.now() } });
    deps.local?.lifecycleSoon(repo.name);
    return { registryId: deps.account.accountId, repositoryName: repo.name, lifecyclePolicyText: input.lifecyclePolicyText };
  },
});

ecr.operation('GetLifecyclePolicy', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException', 'LifecyclePolicyNotFoundException'],
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    if (!repo.lifecyclePolicy) throw notFound(deps, repo);
    return { registryId: deps.account.accountId, repositoryName: repo.name, lifecyclePolicyText: repo.lifecyclePolicy.text, lastEvaluatedAt: repo.lifecyclePolicy.updatedAt / 1000 };
  },
});

ecr.operation('DeleteLifecyclePolicy', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException', 'LifecyclePolicyNotFoundException'],
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    if (!repo.lifecyclePolicy) throw notFound(deps, repo);
    deps.store.putRepository({ ...repo, lifecyclePolicy: undefined });
    return { registryId: deps.account.accountId, repositoryName: repo.name, lifecyclePolicyText: repo.lifecyclePolicy.text, lastEvaluatedAt: repo.lifecyclePolicy.updatedAt / 1000 };
  },
});

ecr.operation('StartLifecyclePolicyPreview', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException', 'LifecyclePolicyNotFoundException'],
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    const text = input.lifecyclePolicyText ?? repo.lifecyclePolicy?.text;
    if (text === undefined) throw notFound(deps, repo);
    // The preview is computed at once, so it is COMPLETE by the time anyone asks.
    deps.store.putRepository({ ...repo, lifecyclePreview: { text, expiring: evaluate(deps, repo, text) } });
    return { registryId: deps.account.accountId, repositoryName: repo.name, lifecyclePolicyText: text, status: 'IN_PROGRESS' };
  },
});

ecr.operation('GetLifecyclePolicyPreview', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException', 'LifecyclePolicyPreviewNotFoundException'],
  // Filtering the preview by imageIds or tag status, and paging it, are not emulated.
  notEmulated: ['imageIds', 'filter', 'nextToken', 'maxResults'],
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    const preview = repo.lifecyclePreview;
    if (!preview) {
      throw ecr.error('LifecyclePolicyPreviewNotFoundException', `There is no lifecycle policy preview for the repository with name '${repo.name}' in the registry with id '${deps.account.accountId}'`);
    }
    return {
      registryId: deps.account.accountId,
      repositoryName: repo.name,
      lifecyclePolicyText: preview.text,
      status: 'COMPLETE',
      previewResults: preview.expiring.map((e) => ({
        ...(e.tags.length ? { imageTags: e.tags } : {}),
        imageDigest: e.digest,
        imagePushedAt: e.pushedAt / 1000,
        action: { type: 'EXPIRE' },
        appliedRulePriority: e.rulePriority,
      })),
      summary: { expiringImageTotalCount: preview.expiring.length },
    };
  },
});
