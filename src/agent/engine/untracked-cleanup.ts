/**
 * Untracked cleanup (§5.8, ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP), after the cycle's ECS images, as the official
 * image manager does it:
 *
 *   containers  every container that is not an ECS task container (no com.amazonaws.ecs.task-arn label, not
 *               known to this agent), in state exited, dead or created, finished at least
 *               ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION ago; at most NONECS_NUM_CONTAINERS_DELETE_PER_CYCLE
 *   images      top-level images the agent does not track, smallest first, created at least
 *               NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE ago; an image with several tags loses them one by one (each
 *               counts), one with a single tag or none is removed by ID; together with the ECS images at most
 *               ECS_NUM_IMAGES_DELETE_PER_CYCLE per cycle
 *
 * Never removed: images tagged with a name in ECS_EXCLUDE_UNTRACKED_IMAGE, the pause image and the official
 * agent image, and (berth's addition) images any container still uses: the official agent leaves those to
 * Docker's refusal, which does not protect an image from losing one of several tags.
 */
import type { Logger } from '../../shared/log.js';
import type { AgentConfig } from '../config/config.js';
import type { ContainerRuntime, ImageSummary } from '../runtime/runtime.js';
import { DEFAULT_PAUSE_IMAGE } from '../network/awsvpc/task-network.js';
import { LABEL_TASK_ARN } from '../model/labels.js';

/** The official agent's own image, always excluded (config.CachedImageNameAgentContainer). */
export const AGENT_IMAGE = 'amazon/amazon-ecs-agent:latest';
const REMOVABLE_STATES = new Set(['exited', 'dead', 'created']);

export interface UntrackedCleanupInput {
  runtime: ContainerRuntime;
  config: AgentConfig;
  log: Logger;
  now: number;
  signal: AbortSignal;
  /** Image names the image manager tracks (pulled for or used by tasks). */
  trackedImages: Iterable<string>;
  /** Docker IDs of containers the agent knows. */
  trackedContainers: ReadonlySet<string>;
  /** How many image removals this cycle still allows. */
  imageBudget: number;
}

export interface UntrackedCleanupResult {
  containers: string[];
  /** Tags untagged and image IDs removed. */
  images: string[];
}

export async function cleanupUntracked(input: UntrackedCleanupInput): Promise<UntrackedCleanupResult> {
  const { runtime } = input;
  if (!runtime.listContainers || !runtime.listImages) return { containers: [], images: [] };
  const containers = await removeContainers(input);
  const images = input.imageBudget > 0 ? await removeImages(input) : [];
  if (containers.length + images.length > 0) input.log.info({ containers, images }, 'removed untracked containers and images');
  return { containers, images };
}

async function removeContainers(input: UntrackedCleanupInput): Promise<string[]> {
  const { runtime, config, signal, now } = input;
  const all = await runtime.listContainers!({}, signal);
  const candidates = all.filter((c) => c.labels[LABEL_TASK_ARN] === undefined && !input.trackedContainers.has(c.id) && REMOVABLE_STATES.has(c.state ?? ''));
  const removed: string[] = [];
  for (const c of candidates) {
    if (removed.length >= config.numNonEcsContainersDeletePerCycle) break;
    const info = await runtime.inspectContainer(c.id, signal);
    if (!info || info.running) continue;
    // A container that never ran counts from its creation (the official agent reads Docker's zero FinishedAt as
    // "long ago", which would also take a container another tool is just about to start).
    const since = info.finishedAt ?? info.createdAt ?? 0;
    if (now - since <= config.taskCleanupWaitMs) continue;
    try {
      await runtime.removeContainer(c.id, signal);
      removed.push(c.id);
    } catch (err) {
      if (signal.aborted) throw err;
      input.log.warn({ container: c.id, err }, 'could not remove an untracked container');
    }
  }
  return removed;
}

async function removeImages(input: UntrackedCleanupInput): Promise<string[]> {
  const { runtime, config, signal, now } = input;
  const excluded = new Set([...config.imageCleanupExclusions, DEFAULT_PAUSE_IMAGE, AGENT_IMAGE]);
  const trackedIds = new Set<string>();
  for (const name of input.trackedImages) {
    const info = await runtime.inspectImage(name, signal).catch(() => undefined);
    if (info) trackedIds.add(info.id);
  }
  // Listed after the container removals: an image whose last container just went is free now.
  const inUse = new Set((await runtime.listContainers!({}, signal)).flatMap((c) => (c.imageId ? [c.imageId] : [])));
  const candidates = (await runtime.listImages!(signal))
    .filter((img) => !trackedIds.has(img.id) && !inUse.has(img.id) && !img.repoTags.some((tag) => excluded.has(tag)))
    .filter((img) => now - img.created > config.nonEcsImageMinimumCleanupAgeMs)
    .sort((a, b) => a.size - b.size);
  const removed: string[] = [];
  for (const img of candidates) {
    for (const ref of references(img)) {
      if (removed.length >= input.imageBudget) return removed;
      try {
        await runtime.removeImage(ref, signal);
        removed.push(ref);
      } catch (err) {
        if (signal.aborted) throw err;
        input.log.warn({ image: ref, err }, 'could not remove an untracked image');
      }
    }
  }
  return removed;
}

/** Several tags: each tag (the last removal deletes the image); otherwise the ID. */
function references(img: ImageSummary): string[] {
  return img.repoTags.length > 1 ? [...img.repoTags].sort() : [img.id];
}
