import { isArn, parseArn } from '../../../../shared/aws/arn.js';
import { clientError, invalidParameter } from '../../errors.js';
import { ecsOperation } from '../service.js';
import { findTaskDefinition } from '../lookup.js';
import { taskDefinitionView } from '../views.js';

/** `family:revision` or an ARN; a bare family is rejected because ECS needs the exact revision here. */
export function requireRevision(ref: string): void {
  const spec = isArn(ref) ? (parseArn(ref)?.resource ?? '') : ref;
  if (!/:\d+$/.test(spec)) throw invalidParameter('The task definition must include a revision (family:revision or full ARN).');
}

/** INACTIVE: running tasks and services are unaffected, but nothing new may use the revision. Idempotent. */
ecsOperation('DeregisterTaskDefinition', {
  input: { taskDefinition: { type: 'string', required: true } },
  handle(ctx, input) {
    requireRevision(input.taskDefinition);
    const td = findTaskDefinition(ctx, input.taskDefinition);
    if (!td) throw clientError('The specified task definition does not exist.');
    const after = td.status === 'ACTIVE' ? { ...td, status: 'INACTIVE' as const, deregisteredAt: ctx.now() } : td;
    if (after !== td) ctx.store.putTaskDefinition(after);
    return { taskDefinition: taskDefinitionView(after) };
  },
});
