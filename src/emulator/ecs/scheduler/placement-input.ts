import type { PlacementConstraint, PlacementStrategy } from './placement.js';
import { requiredAttributeConstraints } from './required-attributes.js';
import { parseExpression } from './query/parse.js';
import { QueryError } from './query/tokens.js';
import { invalidParameter } from '../errors.js';
import { isRecord } from '../validate.js';

/** Wire shapes (model names). */
export interface PlacementConstraintInput {
  type?: string;
  expression?: string;
}
export interface PlacementStrategyInput {
  type?: string;
  field?: string;
}

const MAX_CONSTRAINTS = 10;
const MAX_STRATEGIES = 5;

/** RunTask / CreateService placementConstraints -> typed constraints; InvalidParameterException on bad input. */
export function parseConstraints(raw: readonly unknown[] | undefined, where = 'placementConstraints'): PlacementConstraint[] {
  const list = raw ?? [];
  if (list.length > MAX_CONSTRAINTS) throw invalidParameter(`${where} cannot contain more than ${MAX_CONSTRAINTS} items.`);
  return list.map((c, i) => {
    if (!isRecord(c)) throw invalidParameter(`${where}[${i}] must be a structure.`);
    const { type, expression } = c as PlacementConstraintInput;
    if (type === 'distinctInstance') {
      if (expression !== undefined && expression !== '') {
        throw invalidParameter('The distinctInstance placement constraint does not take an expression.');
      }
      return { type };
    }
    if (type === 'memberOf') {
      if (typeof expression !== 'string' || expression.trim() === '') {
        throw invalidParameter('The memberOf placement constraint requires an expression.');
      }
      return { type, expression: parseQuery(expression) };
    }
    throw invalidParameter(`Invalid placement constraint type '${String(type)}'; expected distinctInstance or memberOf.`);
  });
}

export function parseQuery(expression: string): ReturnType<typeof parseExpression> {
  try {
    return parseExpression(expression);
  } catch (err) {
    if (err instanceof QueryError) throw invalidParameter(`Invalid expression '${expression}': ${err.message}.`);
    throw err;
  }
}

export function parseStrategies(raw: readonly unknown[] | undefined): PlacementStrategy[] {
  const list = raw ?? [];
  if (list.length > MAX_STRATEGIES) throw invalidParameter(`placementStrategy cannot contain more than ${MAX_STRATEGIES} items.`);
  return list.map((s, i) => {
    if (!isRecord(s)) throw invalidParameter(`placementStrategy[${i}] must be a structure.`);
    const { type, field } = s as PlacementStrategyInput;
    switch (type) {
      case 'random':
        return { type };
      case 'binpack': {
        const f = field?.toLowerCase();
        if (f !== 'cpu' && f !== 'memory') throw invalidParameter(`The binpack placement strategy field must be cpu or memory, not '${String(field)}'.`);
        return { type, field: f };
      }
      case 'spread': {
        if (typeof field !== 'string' || field === '') throw invalidParameter('The spread placement strategy requires a field.');
        const ok = field === 'instanceId' || field === 'host' || (field.startsWith('attribute:') && field.length > 'attribute:'.length);
        if (!ok) throw invalidParameter(`Invalid spread field '${field}'; expected instanceId, host or attribute:<name>.`);
        return { type, field };
      }
      default:
        throw invalidParameter(`Invalid placement strategy type '${String(type)}'; expected random, spread or binpack.`);
    }
  });
}

/**
 * What the task definition demands of an instance, joined to the call's constraints: its placementConstraints
 * (memberOf only) and the attributes its members require (required-attributes.ts).
 */
export function taskDefinitionConstraints(body: Record<string, unknown>): PlacementConstraint[] {
  const raw = body['placementConstraints'];
  return [...(Array.isArray(raw) ? parseConstraints(raw, 'taskDefinition.placementConstraints') : []), ...requiredAttributeConstraints(body)];
}
