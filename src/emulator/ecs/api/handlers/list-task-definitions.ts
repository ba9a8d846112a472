import { ecsOperation } from '../service.js';
import { paginate } from '../paginate.js';

/** ARNs by family then revision (ASC by default), ACTIVE by default; familyPrefix matches the family's start. */
ecsOperation('ListTaskDefinitions', {
  input: {
    familyPrefix: { type: 'string' },
    status: { type: 'string', enum: ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'] },
    sort: { type: 'string', enum: ['ASC', 'DESC'] },
    maxResults: { type: 'integer' },
    nextToken: { type: 'string' },
  },
  handle(ctx, input) {
    const status = input.status ?? 'ACTIVE';
    const arns = ctx.store
      .listTaskDefinitions()
      .filter((td) => td.status === status && (!input.familyPrefix || td.family.startsWith(input.familyPrefix)))
      .map((td) => td.arn);
    if (input.sort === 'DESC') arns.reverse();
    const { page, nextToken } = paginate(arns, input);
    return { taskDefinitionArns: page, nextToken };
  },
});
