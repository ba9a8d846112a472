import { randomBytes } from 'node:crypto';
import { parseArn } from '../../../../shared/aws/arn.js';
import { ecsOperation } from '../service.js';
import { invalidParameter } from '../../errors.js';
import { resolveCluster } from '../lookup.js';
import { instanceView } from '../views.js';
import type { Resource as WireResource, VersionInfo } from '../../model.generated.js';
import type { Attribute, ContainerInstanceRecord, Resource } from '../../records.js';

const AZ_ATTRIBUTE = 'ecs.availability-zone';

/**
 * The agent checks that every attribute it sent comes back with the same value (spec §1.5), so attributes
 * are echoed verbatim and only `ecs.availability-zone` is added. A given ARN is reused: re-registration
 * refreshes attributes and resources and keeps the instance's tasks and seqNum.
 */
ecsOperation('RegisterContainerInstance', {
  input: {
    cluster: { type: 'string' },
    containerInstanceArn: { type: 'string' },
    instanceIdentityDocument: { type: 'string' },
    instanceIdentityDocumentSignature: { type: 'string' },
    totalResources: { type: 'list', of: 'structure' },
    attributes: { type: 'list', of: 'structure' },
    versionInfo: { type: 'structure' },
    platformDevices: { type: 'list', of: 'structure' },
    tags: { type: 'list', of: 'structure' },
  },
  handle(ctx, input) {
    const cluster = resolveCluster(ctx, input.cluster);
    const attributes = checkAttributes(input.attributes ?? []);
    const resources = checkResources(input.totalResources ?? []);
    if (!attributes.some((a) => a.name === AZ_ATTRIBUTE)) {
      attributes.push({ name: AZ_ATTRIBUTE, value: `${ctx.arns.region}a` });
    }
    let arn = ctx.arns.containerInstance(cluster.name);
    let previous: ContainerInstanceRecord | undefined;
    if (input.containerInstanceArn) {
      const parts = parseArn(input.containerInstanceArn);
      if (!parts || parts.resourceType !== 'container-instance') {
        throw invalidParameter('containerInstanceArn is not a container instance ARN.');
      }
      arn = input.containerInstanceArn;
      previous = ctx.store.getInstance(arn);
      if (previous && previous.cluster !== cluster.name) {
        throw invalidParameter('The container instance is registered in a different cluster.');
      }
    }
    const inst: ContainerInstanceRecord = {
      arn,
      cluster: cluster.name,
      ec2InstanceId: previous?.ec2InstanceId ?? `mi-${randomBytes(9).toString('hex').slice(0, 17)}`,
      status: 'ACTIVE',
      attributes,
      registeredResources: resources,
      versionInfo: input.versionInfo ? versionStrings(input.versionInfo) : previous?.versionInfo ?? {},
      registeredAt: previous?.registeredAt ?? ctx.now(),
      tags: input.tags ?? previous?.tags ?? [],
    };
    ctx.store.putInstance(inst);
    return { containerInstance: instanceView(ctx, inst) };
  },
});

function checkAttributes(attrs: Attribute[]): Attribute[] {
  return attrs.map((a, i) => {
    if (typeof a.name !== 'string' || a.name === '') throw invalidParameter(`attributes[${i}].name must be a non-empty string`);
    return a.value === undefined ? { name: a.name } : { name: a.name, value: a.value };
  });
}

function checkResources(resources: readonly WireResource[]): Resource[] {
  return resources.map((r, i) => {
    if (typeof r.name !== 'string') throw invalidParameter(`totalResources[${i}].name must be a string`);
    const out: Resource = { name: r.name, type: r.type ?? '' };
    if (r.integerValue !== undefined) out.integerValue = r.integerValue;
    if (r.longValue !== undefined) out.longValue = r.longValue;
    if (r.doubleValue !== undefined) out.doubleValue = r.doubleValue;
    if (r.stringSetValue !== undefined) out.stringSetValue = r.stringSetValue;
    return out;
  });
}

/** The version facts as stored: the string members of the agent's versionInfo. */
function versionStrings(info: VersionInfo): Record<string, string> {
  return Object.fromEntries(Object.entries(info).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
