/**
 * Capacity providers as ECS keeps them: FARGATE and FARGATE_SPOT exist in every account; custom providers wrap an
 * Auto Scaling group (validated and stored for infrastructure-as-code tools; berth has no Auto Scaling, so tasks are
 * never placed through them). A strategy ([{capacityProvider, base, weight}]) splits tasks as ECS does: bases first,
 * then the rest by weight. The rules and messages here are shared by CreateCluster, PutClusterCapacityProviders,
 * RunTask and CreateService.
 */
import type { CapacityProviderRecord, CapacityProviderStrategyItem, ClusterRecord } from '../records.js';
import type { EmulatorContext } from '../context.js';
import { clientError, invalidParameter } from '../errors.js';
import { isRecord } from '../validate.js';

export const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'] as const;
const MAX_PER_CLUSTER = 20;
const MAX_STRATEGY = 20;

export function isFargateProvider(name: string): boolean {
  return (FARGATE_PROVIDERS as readonly string[]).includes(name);
}

export function capacityProviderArn(ctx: EmulatorContext, name: string): string {
  return `arn:aws:ecs:${ctx.arns.region}:${ctx.arns.accountId}:capacity-provider/${name}`;
}

export function capacityProviderView(ctx: EmulatorContext, rec: CapacityProviderRecord): Record<string, unknown> {
  return {
    capacityProviderArn: rec.arn,
    name: rec.name,
    status: rec.status,
    autoScalingGroupProvider: rec.autoScalingGroupProvider,
    ...(rec.updateStatus ? { updateStatus: rec.updateStatus } : {}),
    tags: rec.tags,
    type: 'EC2_AUTOSCALING',
  };
}

export function fargateProviderView(ctx: EmulatorContext, name: string): Record<string, unknown> {
  return { capacityProviderArn: capacityProviderArn(ctx, name), name, status: 'ACTIVE', tags: [], type: name === 'FARGATE' ? 'FARGATE' : 'FARGATE_SPOT' };
}

/** An ACTIVE provider by name (the built-in ones included), else undefined. */
export function knownProvider(ctx: EmulatorContext, name: string): boolean {
  if (isFargateProvider(name)) return true;
  return ctx.store.getCapacityProvider(name)?.status === 'ACTIVE';
}

/** A strategy from the request, checked as ECS checks it against the providers it may use. */
export function checkStrategy(ctx: EmulatorContext, raw: unknown, allowed: readonly string[] | undefined, member: string): CapacityProviderStrategyItem[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw invalidParameter(`Invalid type for parameter ${member}: expected list`);
  if (raw.length > MAX_STRATEGY) throw invalidParameter(`${member} can have at most ${MAX_STRATEGY} capacity providers.`);
  const items = raw.map((r, i): CapacityProviderStrategyItem => {
    if (!isRecord(r) || typeof r['capacityProvider'] !== 'string' || r['capacityProvider'] === '') throw invalidParameter(`${member}[${i}].capacityProvider should not be null or empty.`);
    const weight = r['weight'] ?? 0;
    const base = r['base'] ?? 0;
    if (!Number.isInteger(weight) || (weight as number) < 0 || (weight as number) > 1000) throw invalidParameter(`${member}[${i}].weight must be between 0 and 1000.`);
    if (!Number.isInteger(base) || (base as number) < 0 || (base as number) > 100_000) throw invalidParameter(`${member}[${i}].base must be between 0 and 100000.`);
    return { capacityProvider: r['capacityProvider'], weight: weight as number, base: base as number };
  });
  const names = items.map((i) => i.capacityProvider);
  if (new Set(names).size !== names.length) throw invalidParameter('The capacity provider strategy cannot contain a duplicate capacity provider.');
  if (items.filter((i) => i.base > 0).length > 1) throw invalidParameter('Only one capacity provider in a capacity provider strategy can have a base value greater than zero.');
  if (items.length > 0 && items.every((i) => i.weight === 0)) throw invalidParameter('At least one capacity provider in a capacity provider strategy must have a weight greater than zero.');
  if (items.some((i) => isFargateProvider(i.capacityProvider)) && items.some((i) => !isFargateProvider(i.capacityProvider))) {
    throw invalidParameter('A capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers. Specify one or the other and try again.');
  }
  for (const name of names) {
    if (!knownProvider(ctx, name)) throw invalidParameter(`The specified capacity provider ${name} does not exist. Specify a valid capacity provider and try again.`);
    if (allowed !== undefined && !allowed.includes(name)) {
      throw invalidParameter(`The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.`);
    }
  }
  return items;
}

/** capacityProviders of CreateCluster / PutClusterCapacityProviders: existing, ACTIVE, at most 20. */
export function checkClusterProviders(ctx: EmulatorContext, raw: unknown): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || !raw.every((n) => typeof n === 'string')) throw invalidParameter('Invalid type for parameter capacityProviders: expected list of strings');
  if (raw.length > MAX_PER_CLUSTER) throw invalidParameter(`A cluster can have at most ${MAX_PER_CLUSTER} capacity providers.`);
  for (const name of raw as string[]) {
    if (!knownProvider(ctx, name)) throw invalidParameter(`The specified capacity provider ${name} does not exist. Specify a valid capacity provider and try again.`);
  }
  return [...new Set(raw as string[])];
}

/** The clusters a custom provider is associated with (it cannot be deleted while there are any). */
export function clustersUsing(ctx: EmulatorContext, name: string): ClusterRecord[] {
  return ctx.store.listClusters().filter((c) => c.status !== 'INACTIVE' && (c.capacityProviders ?? []).includes(name));
}

/** Deleting a provider that is in use: ECS's ClientException. */
export function inUse(name: string): Error {
  return clientError(`The specified capacity provider ${name} is in use and cannot be removed.`);
}

/**
 * How `count` new tasks split over a strategy, given how many each provider already runs (services count their
 * running tasks): each base is met first, then the rest follow the weights, each task going to the provider
 * furthest below its weighted share (ties: strategy order).
 */
export function distribute(strategy: readonly CapacityProviderStrategyItem[], count: number, running: Readonly<Record<string, number>> = {}): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(strategy.map((s) => [s.capacityProvider, 0]));
  const total = (name: string): number => (running[name] ?? 0) + (out[name] ?? 0);
  let left = count;
  for (const s of strategy) {
    const need = Math.max(0, s.base - total(s.capacityProvider));
    const take = Math.min(need, left);
    out[s.capacityProvider]! += take;
    left -= take;
  }
  const weighted = strategy.filter((s) => s.weight > 0);
  const weightSum = weighted.reduce((n, s) => n + s.weight, 0);
  // With every weight 0 (refused by checkStrategy) only the bases are placed.
  for (; left > 0 && weighted.length > 0; left--) {
    // Beyond the bases, each provider's count over its weight: the lowest gets the next task.
    const beyondBase = (s: CapacityProviderStrategyItem): number => Math.max(0, total(s.capacityProvider) - s.base);
    const placedBeyond = weighted.reduce((n, s) => n + beyondBase(s), 0) + 1;
    let best = weighted[0]!;
    let bestGap = -Infinity;
    for (const s of weighted) {
      const gap = (s.weight / weightSum) * placedBeyond - beyondBase(s);
      if (gap > bestGap) {
        best = s;
        bestGap = gap;
      }
    }
    out[best.capacityProvider]! += 1;
  }
  return out;
}
