/**
 * CreateCapacityProvider, UpdateCapacityProvider, DeleteCapacityProvider, DescribeCapacityProviders and
 * PutClusterCapacityProviders (see ../capacity-providers.ts for the rules they share).
 */
import { ecsOperation } from '../service.js';
import { clientError, invalidParameter } from '../../errors.js';
import { isRecord } from '../../validate.js';
import { checkTags } from '../tags.js';
import { resolveCluster } from '../lookup.js';
import { clusterView } from '../views.js';
import {
  capacityProviderArn,
  capacityProviderView,
  checkClusterProviders,
  checkStrategy,
  clustersUsing,
  FARGATE_PROVIDERS,
  fargateProviderView,
  inUse,
  isFargateProvider,
} from '../capacity-providers.js';

const NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const ASG_ARN = /^arn:aws[a-z-]*:autoscaling:[a-z0-9-]+:\d{12}:autoScalingGroup:[0-9a-f-]+:autoScalingGroupName\/.+$/;
const DESCRIBE_MAX = 10;

/** autoScalingGroupProvider as ECS checks it; `update` leaves out the group ARN, which cannot change. */
function checkAsgProvider(raw: unknown, update: boolean): Record<string, unknown> {
  if (!isRecord(raw)) throw invalidParameter('autoScalingGroupProvider should not be null or empty.');
  const out: Record<string, unknown> = {};
  if (!update) {
    const arn = raw['autoScalingGroupArn'];
    if (typeof arn !== 'string' || !ASG_ARN.test(arn)) throw invalidParameter('The Auto Scaling group ARN is not valid. Specify a valid Auto Scaling group ARN and try again.');
    out['autoScalingGroupArn'] = arn;
  }
  const ms = raw['managedScaling'];
  if (ms !== undefined) {
    if (!isRecord(ms)) throw invalidParameter('Invalid type for parameter autoScalingGroupProvider.managedScaling: expected structure');
    const bound = (key: string, min: number, max: number): void => {
      const v = ms[key];
      if (v !== undefined && (!Number.isInteger(v) || (v as number) < min || (v as number) > max)) throw invalidParameter(`managedScaling.${key} must be between ${min} and ${max}.`);
    };
    bound('targetCapacity', 1, 100);
    bound('minimumScalingStepSize', 1, 10_000);
    bound('maximumScalingStepSize', 1, 10_000);
    bound('instanceWarmupPeriod', 0, 10_000);
    if (ms['status'] !== undefined && ms['status'] !== 'ENABLED' && ms['status'] !== 'DISABLED') throw invalidParameter('managedScaling.status must be ENABLED or DISABLED.');
    if ((ms['minimumScalingStepSize'] as number | undefined) !== undefined && (ms['maximumScalingStepSize'] as number | undefined) !== undefined && (ms['minimumScalingStepSize'] as number) > (ms['maximumScalingStepSize'] as number)) {
      throw invalidParameter('managedScaling.minimumScalingStepSize cannot be greater than maximumScalingStepSize.');
    }
    out['managedScaling'] = { status: 'ENABLED', targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10_000, instanceWarmupPeriod: 300, ...ms };
  }
  for (const [key, values] of [['managedTerminationProtection', ['ENABLED', 'DISABLED']], ['managedDraining', ['ENABLED', 'DISABLED']]] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw invalidParameter(`${key} must be ENABLED or DISABLED.`);
    out[key] = v;
  }
  if (out['managedTerminationProtection'] === 'ENABLED' && (out['managedScaling'] as { status?: string } | undefined)?.status !== 'ENABLED') {
    throw invalidParameter('The managed termination protection setting for the capacity provider is invalid. To enable managed termination protection for a capacity provider, the capacity provider must have managed scaling enabled.');
  }
  return out;
}

ecsOperation('CreateCapacityProvider', {
  notEmulated: ['cluster', 'managedInstancesProvider'],
  input: { name: { type: 'string', required: true }, autoScalingGroupProvider: { type: 'structure' }, tags: { type: 'list', of: 'structure' } },
  handle(ctx, input) {
    const name = input.name;
    if (!NAME.test(name)) throw invalidParameter('The specified capacity provider name is invalid. Up to 255 characters are allowed, including letters (upper and lowercase), numbers, underscores, and hyphens.');
    if (/^(aws|ecs|fargate)/i.test(name)) throw invalidParameter("The specified capacity provider name is invalid. The name can't start with 'aws', 'ecs', or 'fargate'.");
    const existing = ctx.store.getCapacityProvider(name);
    if (existing?.status === 'ACTIVE') throw clientError('The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.');
    const rec = { name, arn: capacityProviderArn(ctx, name), status: 'ACTIVE' as const, autoScalingGroupProvider: checkAsgProvider(input.autoScalingGroupProvider, false), tags: checkTags(input.tags) };
    ctx.store.putCapacityProvider(rec);
    return { capacityProvider: capacityProviderView(ctx, rec) };
  },
});

ecsOperation('UpdateCapacityProvider', {
  notEmulated: ['cluster', 'managedInstancesProvider'],
  input: { name: { type: 'string', required: true }, autoScalingGroupProvider: { type: 'structure' } },
  handle(ctx, input) {
    if (isFargateProvider(input.name)) throw invalidParameter(`The ${input.name} capacity provider cannot be updated.`);
    const rec = ctx.store.getCapacityProvider(input.name);
    if (!rec || rec.status !== 'ACTIVE') throw invalidParameter('The specified capacity provider does not exist. Specify a valid name or ARN and try again.');
    const changes = checkAsgProvider(input.autoScalingGroupProvider, true);
    const updated = { ...rec, autoScalingGroupProvider: { ...rec.autoScalingGroupProvider, ...changes }, updateStatus: 'UPDATE_COMPLETE' };
    ctx.store.putCapacityProvider(updated);
    return { capacityProvider: capacityProviderView(ctx, updated) };
  },
});

function providerName(ref: string): string {
  const i = ref.indexOf(':capacity-provider/');
  return i >= 0 ? ref.slice(i + ':capacity-provider/'.length) : ref;
}

ecsOperation('DeleteCapacityProvider', {
  notEmulated: ['cluster'],
  input: { capacityProvider: { type: 'string', required: true } },
  handle(ctx, input) {
    const name = providerName(input.capacityProvider);
    if (isFargateProvider(name)) throw invalidParameter(`The ${name} capacity provider cannot be deleted.`);
    const rec = ctx.store.getCapacityProvider(name);
    if (!rec || rec.status !== 'ACTIVE') throw invalidParameter('The specified capacity provider does not exist. Specify a valid name or ARN and try again.');
    if (clustersUsing(ctx, name).length > 0) throw inUse(name);
    const deleted = { ...rec, status: 'INACTIVE' as const, updateStatus: 'DELETE_COMPLETE' };
    ctx.store.putCapacityProvider(deleted);
    return { capacityProvider: capacityProviderView(ctx, deleted) };
  },
});

ecsOperation('DescribeCapacityProviders', {
  notEmulated: ['cluster'],
  input: { capacityProviders: { type: 'list', of: 'string', max: 100 }, include: { type: 'list', of: 'string', enumOf: ['TAGS'] }, maxResults: { type: 'integer' }, nextToken: { type: 'string' } },
  handle(ctx, input) {
    const withTags = input.include?.includes('TAGS') ?? false;
    const view = (name: string): Record<string, unknown> | undefined => {
      if (isFargateProvider(name)) return fargateProviderView(ctx, name);
      const rec = ctx.store.getCapacityProvider(name);
      return rec ? capacityProviderView(ctx, rec) : undefined;
    };
    const strip = (v: Record<string, unknown>): Record<string, unknown> => {
      if (withTags) return v;
      const { tags: _tags, ...rest } = v;
      return rest;
    };
    if (input.capacityProviders !== undefined) {
      const found: Record<string, unknown>[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const ref of input.capacityProviders) {
        const v = view(providerName(ref));
        if (v) found.push(strip(v));
        else failures.push({ arn: ref.startsWith('arn:') ? ref : capacityProviderArn(ctx, ref), reason: 'MISSING' });
      }
      return { capacityProviders: found, failures };
    }
    const all = [...FARGATE_PROVIDERS, ...ctx.store.listCapacityProviders().map((r) => r.name)];
    const max = input.maxResults ?? DESCRIBE_MAX;
    if (max < 1 || max > DESCRIBE_MAX) throw invalidParameter(`maxResults must be between 1 and ${DESCRIBE_MAX}.`);
    const start = input.nextToken === undefined ? 0 : Number(Buffer.from(input.nextToken, 'base64').toString());
    if (!Number.isInteger(start) || start < 0) throw invalidParameter('Invalid nextToken.');
    const page = all.slice(start, start + max);
    return { capacityProviders: page.map((n) => strip(view(n)!)), failures: [], ...(start + max < all.length ? { nextToken: Buffer.from(String(start + max)).toString('base64') } : {}) };
  },
});

ecsOperation('PutClusterCapacityProviders', {
  input: {
    cluster: { type: 'string', required: true },
    capacityProviders: { type: 'list', required: true, of: 'string' },
    defaultCapacityProviderStrategy: { type: 'list', required: true, of: 'structure' },
  },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const providers = checkClusterProviders(ctx, input.capacityProviders);
    const strategy = checkStrategy(ctx, input.defaultCapacityProviderStrategy, providers, 'defaultCapacityProviderStrategy');
    const updated = { ...cluster, capacityProviders: providers, defaultCapacityProviderStrategy: strategy };
    ctx.store.putCluster(updated);
    return { cluster: clusterView(ctx, updated) };
  },
});
