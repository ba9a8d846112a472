/**
 * Pure builders of the TCS publish messages (spec §7): metrics in batches of at most 10 tasks and 1 MiB with
 * `fin` on the last one, an idle instance as one `idle=true, fin=true` message without tasks; health in the
 * same batches (nothing when no container has a health check).
 */
import { epochSeconds } from '../../shared/time.js';
import type { ContainerStatsSets } from '../stats/collector.js';
import type {
  ContainerMetric,
  InstanceStatus,
  PublishHealthRequest,
  PublishInstanceStatusRequest,
  PublishMetricsRequest,
  TaskHealth,
  TaskMetric,
} from '../../shared/protocol/tcs.js';

export const MAX_TASKS_PER_MESSAGE = 10;
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export interface InstanceIdentity {
  cluster: string;
  containerInstance: string;
}

export interface MessageContext extends InstanceIdentity {
  /** Epoch ms. */
  now: number;
  newId: () => string;
}

/** Splits into chunks of at most `max` items whose JSON stays under `maxBytes` (a single oversized item goes alone). */
export function batch<T>(items: readonly T[], max = MAX_TASKS_PER_MESSAGE, maxBytes = MAX_MESSAGE_BYTES): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item));
    if (cur.length > 0 && (cur.length >= max || bytes + size > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(item);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** A container's folded window as a ContainerMetric; undefined until CPU has a delta (two samples). */
export function containerMetric(name: string, sets: ContainerStatsSets | undefined): ContainerMetric | undefined {
  if (!sets?.cpu) return undefined;
  const m: ContainerMetric = {
    containerName: name,
    cpuStatsSet: sets.cpu,
    memoryStatsSet: sets.memoryMiB,
    storageStatsSet: sets.storage,
  };
  if (sets.network) {
    const { rxBytesPerSecond, txBytesPerSecond, ...counters } = sets.network;
    m.networkStatsSet = {
      ...counters,
      ...(rxBytesPerSecond ? { rxBytesPerSecond } : {}),
      ...(txBytesPerSecond ? { txBytesPerSecond } : {}),
    };
  }
  return m;
}

export function metricsRequests(ctx: MessageContext, tasks: readonly TaskMetric[]): PublishMetricsRequest[] {
  const timestamp = epochSeconds(ctx.now);
  const meta = (idle: boolean, fin: boolean): PublishMetricsRequest['metadata'] => ({
    cluster: ctx.cluster, containerInstance: ctx.containerInstance, messageId: ctx.newId(), idle, fin,
  });
  const withMetrics = tasks.filter((t) => t.containerMetrics.length > 0);
  if (withMetrics.length === 0) return [{ metadata: meta(true, true), timestamp }];
  const batches = batch(withMetrics);
  return batches.map((b, i) => ({ metadata: meta(false, i === batches.length - 1), taskMetrics: b, timestamp }));
}

export function healthRequests(ctx: MessageContext, tasks: readonly TaskHealth[]): PublishHealthRequest[] {
  const timestamp = epochSeconds(ctx.now);
  const batches = batch(tasks.filter((t) => t.containers.length > 0));
  return batches.map((b, i) => ({
    metadata: { cluster: ctx.cluster, containerInstance: ctx.containerInstance, messageId: ctx.newId(), fin: i === batches.length - 1 },
    tasks: b,
    timestamp,
  }));
}

export function instanceStatusRequest(ctx: MessageContext, statuses: InstanceStatus[]): PublishInstanceStatusRequest {
  return {
    metadata: { cluster: ctx.cluster, containerInstance: ctx.containerInstance, requestId: ctx.newId() },
    statuses,
    timestamp: epochSeconds(ctx.now),
  };
}
