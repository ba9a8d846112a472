import type { ClusterRecord, ContainerInstanceRecord } from '../records.js';
import type { EmulatorContext } from '../context.js';
import { EcsError, invalidParameter } from '../errors.js';
import { findInstance } from './lookup.js';
import type { Attribute } from '../model.generated.js';
import { isRecord } from '../validate.js';

export type AttributeInput = Attribute;

const MAX_PER_CALL = 10;
const NAME = /^[a-zA-Z0-9_.\-/\\@]{1,128}$/;
const VALUE = /^[a-zA-Z0-9_.\-/\\@: ]{1,128}$/;

/** PutAttributes / DeleteAttributes input -> the instances they name, with ECS's limits and errors. */
export function checkAttributeTargets(
  ctx: EmulatorContext,
  cluster: ClusterRecord,
  attrs: readonly AttributeInput[],
  put: boolean,
): { instance: ContainerInstanceRecord; attribute: { name: string; value?: string } }[] {
  if (attrs.length === 0) throw invalidParameter('attributes must not be empty.');
  if (attrs.length > MAX_PER_CALL) {
    throw new EcsError('AttributeLimitExceededException', `You can specify at most ${MAX_PER_CALL} attributes per call.`);
  }
  return attrs.map((a, i) => {
    if (!isRecord(a)) throw invalidParameter(`attributes[${i}] must be a structure.`);
    if (typeof a.name !== 'string' || !NAME.test(a.name)) {
      throw invalidParameter(`Attribute name '${String(a.name)}' must be 1-128 letters, numbers, hyphens, underscores, periods, slashes or at signs.`);
    }
    if (put && a.value !== undefined && (typeof a.value !== 'string' || !VALUE.test(a.value))) {
      throw invalidParameter(`Attribute value '${String(a.value)}' is not valid.`);
    }
    if (a.targetType !== undefined && a.targetType !== 'container-instance') {
      throw invalidParameter(`Invalid targetType '${a.targetType}'; expected container-instance.`);
    }
    if (typeof a.targetId !== 'string' || a.targetId === '') throw invalidParameter('attributes[].targetId is required.');
    const instance = findInstance(ctx, cluster, a.targetId);
    if (!instance || instance.status === 'INACTIVE') {
      throw new EcsError('TargetNotFoundException', `Could not find ${a.targetId}.`);
    }
    return { instance, attribute: a.value === undefined ? { name: a.name } : { name: a.name, value: a.value as string } };
  });
}
