import { parseArn } from '../../../shared/aws/arn.js';
import type { EmulatorContext } from '../context.js';
import type { Tag } from '../records.js';
import { EcsError, invalidParameter } from '../errors.js';

/** A taggable resource: its tags and how to store new ones. */
export interface Taggable {
  tags: Tag[];
  save(tags: Tag[]): void;
}

const notFound = (): EcsError => new EcsError('ResourceNotFoundException', 'The specified resource could not be found.');

/** Clusters, task definitions, tasks, services and container instances, by ARN (as TagResource takes them). */
export function findTaggable(ctx: EmulatorContext, arn: string): Taggable {
  const parts = parseArn(arn);
  if (!parts) throw invalidParameter(`The ARN '${arn}' is not a valid ECS resource ARN.`);
  const { store } = ctx;
  switch (parts.resourceType) {
    case 'cluster': {
      const c = store.getCluster(parts.resource);
      if (!c || c.status === 'INACTIVE') throw notFound();
      return { tags: c.tags, save: (tags) => store.putCluster({ ...c, tags }) };
    }
    case 'task-definition': {
      const m = /^(.+):(\d+)$/.exec(parts.resource);
      const td = m ? store.getTaskDefinition(m[1]!, Number(m[2])) : undefined;
      if (!td) throw notFound();
      return { tags: td.tags ?? [], save: (tags) => store.putTaskDefinition({ ...td, tags }) };
    }
    case 'task': {
      const t = store.getTask(arn);
      if (!t) throw notFound();
      return { tags: t.tags ?? [], save: (tags) => store.putTask({ ...t, tags }) };
    }
    case 'service': {
      const s = store.getService(arn);
      if (!s || s.status === 'INACTIVE') throw notFound();
      return { tags: s.tags, save: (tags) => store.putService({ ...s, tags }) };
    }
    case 'container-instance': {
      const i = store.getInstance(arn);
      if (!i || i.status === 'INACTIVE') throw notFound();
      return { tags: i.tags, save: (tags) => store.putInstance({ ...i, tags }) };
    }
    default:
      throw invalidParameter(`Resources of type ${parts.resourceType} cannot be tagged.`);
  }
}
