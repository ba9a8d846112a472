/**
 * ECR images: ListImages, DescribeImages, BatchGetImage, BatchDeleteImage, PutImage, GetAuthorizationToken and
 * image scanning as ECR answers when it cannot scan. An image is a manifest digest with any number of tags;
 * deleting its last tag leaves it untagged, deleting it by digest removes it and its tags (ECR's rules), and the
 * registry is told to forget it once the transaction has committed (local-registry.ts).
 */
import { createHash } from 'node:crypto';
import { ecr, type EcrDeps } from './service.js';
import { pageStart, pageToken, registryIdOf, requireLocal, requireRepository } from './repositories.js';
import { manifestFacts } from './registry-front.js';
import type { ImageRecord, RepositoryRecord } from './store.js';

const LIST_MAX = 1000;
const BATCH_MAX = 100;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

type ImageId = { imageDigest?: string | undefined; imageTag?: string | undefined };
type Failure = { imageId: ImageId; failureCode: string; failureReason: string };

function tagStatusMatches(tags: readonly string[], status: string | undefined): boolean {
  if (status === 'TAGGED') return tags.length > 0;
  if (status === 'UNTAGGED') return tags.length === 0;
  return true;
}

/** An imageId -> the image it names, or ECR's failure for it. */
function resolveImageId(deps: EcrDeps, repo: RepositoryRecord, id: ImageId): ImageRecord | Failure {
  if (id.imageDigest === undefined && id.imageTag === undefined) return { imageId: id, failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request parameters: both tag and digest cannot be null' };
  if (id.imageDigest !== undefined && !DIGEST.test(id.imageDigest)) return { imageId: id, failureCode: 'InvalidImageDigest', failureReason: 'Invalid request parameters: image digest should satisfy the regex \'[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+\'' };
  const byTag = id.imageTag !== undefined ? deps.store.tagDigest(repo.name, id.imageTag) : undefined;
  if (id.imageTag !== undefined && id.imageDigest !== undefined && byTag !== undefined && byTag !== id.imageDigest) {
    return { imageId: id, failureCode: 'ImageTagDoesNotMatchDigest', failureReason: 'Invalid request parameters: given tag does not map to the given digest' };
  }
  const digest = id.imageDigest ?? byTag;
  const image = digest !== undefined ? deps.store.getImage(repo.name, digest) : undefined;
  return image ?? { imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
}

export function imageDetail(deps: EcrDeps, repo: RepositoryRecord, image: ImageRecord): Record<string, unknown> {
  const tags = deps.store.tagsOf(repo.name, image.digest);
  return {
    registryId: deps.account.accountId,
    repositoryName: repo.name,
    imageDigest: image.digest,
    ...(tags.length ? { imageTags: tags } : {}),
    imageSizeInBytes: image.size,
    imagePushedAt: image.pushedAt / 1000,
    imageManifestMediaType: image.mediaType,
    ...(image.artifactMediaType ? { artifactMediaType: image.artifactMediaType } : {}),
    ...(image.lastPulledAt ? { lastRecordedPullTime: image.lastPulledAt / 1000 } : {}),
  };
}

/** Removes an image (or one of its tags) as BatchDeleteImage does; true when the image itself went. */
export function deleteImage(deps: EcrDeps, repo: RepositoryRecord, image: ImageRecord, tag: string | undefined): boolean {
  if (tag !== undefined && deps.store.tagsOf(repo.name, image.digest).length > 1) {
    deps.store.deleteTag(repo.name, tag);
    return false;
  }
  deps.store.deleteImage(repo.name, image.digest);
  deps.store.forget(repo.name, image.digest);
  deps.local?.sweepSoon();
  return true;
}

ecr.operation('GetAuthorizationToken', {
  errors: ['InvalidParameterException'],
  handle(ctx, input) {
    const ids = input.registryIds ?? [];
    const registry = ctx.ecr;
    if (!registry) {
      throw ecr.error('InvalidParameterException', 'This berth emulator runs without an ECR registry: its own needs /usr/bin/docker-registry (apt-get install docker-registry), or name one with --ecr-registry HOST:PORT and --ecr-credentials USER:PASSWORD.');
    }
    const other = ids.find((id) => id !== registry.accountId);
    if (other !== undefined) {
      throw ecr.error('InvalidParameterException', `Registry ${other} is not emulated here: this emulator's ECR registry is ${registry.accountId} (${registry.registry}).`);
    }
    const entry = registry.authorizationData(ctx.now());
    return { authorizationData: ids.length === 0 ? [entry] : ids.map(() => entry) };
  },
});

ecr.operation('ListImages', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException'],
  check(input) {
    if (input.filter?.imageStatus !== undefined && input.filter.imageStatus !== 'ACTIVE' && input.filter.imageStatus !== 'ANY') {
      throw ecr.error('InvalidParameterException', `imageStatus ${input.filter.imageStatus}: berth's ECR has no archived images`);
    }
  },
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    // One entry per tag, and one per untagged image, ordered so paging is stable.
    const ids: { key: string; id: ImageId }[] = [];
    for (const image of deps.store.listImages(repo.name)) {
      const tags = deps.store.tagsOf(repo.name, image.digest);
      if (!tagStatusMatches(tags, input.filter?.tagStatus)) continue;
      if (tags.length === 0) ids.push({ key: `${image.digest}\u0000`, id: { imageDigest: image.digest } });
      for (const tag of tags) ids.push({ key: `${image.digest}\u0000${tag}`, id: { imageDigest: image.digest, imageTag: tag } });
    }
    ids.sort((a, b) => (a.key < b.key ? -1 : 1));
    const start = input.nextToken === undefined ? 0 : pageStart(input.nextToken, ids.map((i) => i.key));
    const n = input.maxResults ?? LIST_MAX;
    const page = ids.slice(start, start + n);
    return { imageIds: page.map((i) => i.id), ...(start + n < ids.length ? { nextToken: pageToken(page[page.length - 1]!.key) } : {}) };
  },
});

ecr.operation('DescribeImages', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException', 'ImageNotFoundException'],
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    if (input.imageIds !== undefined) {
      if (input.nextToken !== undefined || input.maxResults !== undefined) throw ecr.error('InvalidParameterException', 'Invalid parameter: nextToken and maxResults cannot be used with imageIds');
      const details = input.imageIds.map((id) => {
        const found = resolveImageId(deps, repo, id);
        if ('failureCode' in found) {
          throw ecr.error('ImageNotFoundException', `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repo.name}' in the registry with id '${deps.account.accountId}'`);
        }
        return imageDetail(deps, repo, found);
      });
      return { imageDetails: details };
    }
    const images = deps.store.listImages(repo.name).filter((i) => tagStatusMatches(deps.store.tagsOf(repo.name, i.digest), input.filter?.tagStatus));
    const start = input.nextToken === undefined ? 0 : pageStart(input.nextToken, images.map((i) => i.digest));
    const n = input.maxResults ?? LIST_MAX;
    const page = images.slice(start, start + n);
    return { imageDetails: page.map((i) => imageDetail(deps, repo, i)), ...(start + n < images.length ? { nextToken: pageToken(page[page.length - 1]!.digest) } : {}) };
  },
});

ecr.operation('BatchGetImage', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException'],
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    if (input.imageIds.length > BATCH_MAX) throw ecr.error('InvalidParameterException', `Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length less than or equal to ${BATCH_MAX}'`);
    const images: Record<string, unknown>[] = [];
    const failures: Failure[] = [];
    for (const id of input.imageIds) {
      const found = resolveImageId(deps, repo, id);
      if ('failureCode' in found) {
        failures.push(found);
        continue;
      }
      if (input.acceptedMediaTypes !== undefined && !input.acceptedMediaTypes.includes(found.mediaType)) {
        failures.push({ imageId: id, failureCode: 'UnsupportedImageType', failureReason: `The image is ${found.mediaType}, not one of the accepted media types` });
        continue;
      }
      images.push({ registryId: deps.account.accountId, repositoryName: repo.name, imageId: { imageDigest: found.digest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) }, imageManifest: found.manifest, imageManifestMediaType: found.mediaType });
    }
    return { images, failures };
  },
});

ecr.operation('BatchDeleteImage', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException'],
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    if (input.imageIds.length > BATCH_MAX) throw ecr.error('InvalidParameterException', `Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length less than or equal to ${BATCH_MAX}'`);
    const deleted: ImageId[] = [];
    const failures: Failure[] = [];
    for (const id of input.imageIds) {
      const found = resolveImageId(deps, repo, id);
      if ('failureCode' in found) {
        failures.push(found);
        continue;
      }
      // By tag: that tag goes (and the image with its last tag); by digest: the image and all its tags.
      const tags = deps.store.tagsOf(repo.name, found.digest);
      if (id.imageDigest === undefined) {
        deleteImage(deps, repo, found, id.imageTag);
        deleted.push({ imageDigest: found.digest, imageTag: id.imageTag });
      } else {
        deleteImage(deps, repo, found, undefined);
        if (tags.length === 0) deleted.push({ imageDigest: found.digest });
        for (const tag of tags) deleted.push({ imageDigest: found.digest, imageTag: tag });
      }
    }
    return { imageIds: deleted, failures };
  },
});

interface PreparedManifest {
  digest: string;
  facts: ReturnType<typeof manifestFacts>;
  mediaType: string;
}

ecr.operation('PutImage', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException', 'ImageAlreadyExistsException', 'LayersNotFoundException', 'ImageTagAlreadyExistsException', 'ImageDigestDoesNotMatchException'],
  async prepare(deps, input): Promise<PreparedManifest> {
    requireRepository(deps, input);
    const digest = `sha256:${createHash('sha256').update(input.imageManifest).digest('hex')}`;
    if (input.imageDigest !== undefined && input.imageDigest !== digest) {
      throw ecr.error('ImageDigestDoesNotMatchException', `Invalid parameter at 'imageDigest' failed to satisfy constraint: 'The digest ${input.imageDigest} does not match the digest of the manifest ${digest}'`);
    }
    let facts: ReturnType<typeof manifestFacts>;
    try {
      facts = manifestFacts(Buffer.from(input.imageManifest), input.imageManifestMediaType);
    } catch {
      throw ecr.error('InvalidParameterException', "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Invalid JSON syntax'");
    }
    const mediaType = input.imageManifestMediaType ?? facts.mediaType;
    const stored = await requireLocal(deps).putManifest(input.repositoryName, digest, input.imageManifest, mediaType);
    if (stored.status !== 201) {
      if (stored.code === 'BLOB_UNKNOWN' || stored.code === 'MANIFEST_BLOB_UNKNOWN') throw ecr.error('LayersNotFoundException', 'Some layers of the image manifest are not in the repository.');
      throw ecr.error('InvalidParameterException', `Invalid parameter at 'imageManifest' failed to satisfy constraint: 'the registry refused the manifest (${stored.code ?? stored.status})'`);
    }
    return { digest, facts, mediaType };
  },
  handle(deps, input, _call, prepared) {
    const { digest, facts, mediaType } = prepared as PreparedManifest;
    const repo = requireRepository(deps, input);
    const tag = input.imageTag;
    const existing = deps.store.getImage(repo.name, digest);
    const current = tag !== undefined ? deps.store.tagDigest(repo.name, tag) : undefined;
    if (existing && (tag === undefined || current === digest)) {
      throw ecr.error('ImageAlreadyExistsException', `Image with digest '${digest}'${tag !== undefined ? ` and tag '${tag}'` : ''} already exists in the repository with name '${repo.name}' in registry with id '${deps.account.accountId}'`);
    }
    if (tag !== undefined && current !== undefined && current !== digest && repo.imageTagMutability === 'IMMUTABLE') {
      throw ecr.error('ImageTagAlreadyExistsException', `The image tag '${tag}' already exists in the '${repo.name}' repository and cannot be overwritten because the repository is immutable.`);
    }
    const image: ImageRecord = existing ?? { repository: repo.name, digest, ...facts, mediaType, pushedAt: deps.now(), manifest: input.imageManifest };
    if (!existing) deps.store.putImage(image);
    if (tag !== undefined) deps.store.setTag(repo.name, tag, digest);
    return {
      image: { registryId: deps.account.accountId, repositoryName: repo.name, imageId: { imageDigest: digest, ...(tag !== undefined ? { imageTag: tag } : {}) }, imageManifest: input.imageManifest, imageManifestMediaType: mediaType },
    };
  },
});

ecr.operation('StartImageScan', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException', 'ImageNotFoundException', 'UnsupportedImageTypeException'],
  handle(deps, input) {
    registryIdOf(deps, input.registryId);
    const repo = requireRepository(deps, input);
    const found = resolveImageId(deps, repo, input.imageId);
    if ('failureCode' in found) throw ecr.error('ImageNotFoundException', `The image with imageId {imageDigest:'${input.imageId.imageDigest ?? 'null'}', imageTag:'${input.imageId.imageTag ?? 'null'}'} does not exist within the repository with name '${repo.name}' in the registry with id '${deps.account.accountId}'`);
    // No vulnerability database is reachable here: the scan fails at once, as ECR reports a scan it cannot do.
    return {
      registryId: deps.account.accountId,
      repositoryName: repo.name,
      imageId: { imageDigest: found.digest, ...(input.imageId.imageTag !== undefined ? { imageTag: input.imageId.imageTag } : {}) },
      imageScanStatus: { status: 'FAILED', description: 'berth cannot scan images: no vulnerability database is reachable from this machine' },
    };
  },
});

ecr.operation('DescribeImageScanFindings', {
  errors: ['InvalidParameterException', 'RepositoryNotFoundException', 'ImageNotFoundException', 'ScanNotFoundException'],
  handle(deps, input) {
    const repo = requireRepository(deps, input);
    const found = resolveImageId(deps, repo, input.imageId);
    if ('failureCode' in found) throw ecr.error('ImageNotFoundException', `The image with imageId {imageDigest:'${input.imageId.imageDigest ?? 'null'}', imageTag:'${input.imageId.imageTag ?? 'null'}'} does not exist within the repository with name '${repo.name}' in the registry with id '${deps.account.accountId}'`);
    throw ecr.error('ScanNotFoundException', `Image scan does not exist for the image with '{imageDigest:'${found.digest}', imageTag:'${input.imageId.imageTag ?? 'null'}'}' in the repository with name '${repo.name}' in the registry with id '${deps.account.accountId}'`);
  },
});
