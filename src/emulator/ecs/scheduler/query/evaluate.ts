import type { CompareOp, Expr, Subject } from './parse.js';

/** What an expression can ask about one container instance. */
export interface InstanceFacts {
  ec2InstanceId: string;
  /** Epoch ms. */
  registeredAt: number;
  runningTasksCount: number;
  agentConnected: boolean;
  agentVersion?: string;
  dockerVersion?: string;
  /** Attribute name -> value; a name present with an undefined value still `exists`. */
  attributes: ReadonlyMap<string, string | undefined>;
  /** Groups of the tasks on the instance that are not STOPPED -> how many. */
  taskGroups: ReadonlyMap<string, number>;
}

const patterns = new Map<string, RegExp>();
function pattern(p: string): RegExp {
  let re = patterns.get(p);
  if (!re) {
    re = new RegExp(`^(?:${p})$`);
    if (patterns.size > 1000) patterns.clear();
    patterns.set(p, re);
  }
  return re;
}

/** The subject's values: none (absent), one, or several (task:group). */
function valuesOf(s: Subject, f: InstanceFacts): string[] {
  switch (s.kind) {
    case 'attribute':
      return f.attributes.has(s.name) ? [f.attributes.get(s.name) ?? ''] : [];
    case 'taskGroup':
      return [...f.taskGroups].filter(([, n]) => n > 0).map(([g]) => g);
    case 'field':
      switch (s.name) {
        case 'ec2InstanceId':
          return [f.ec2InstanceId];
        case 'registeredAt':
          return [new Date(f.registeredAt).toISOString()];
        case 'runningTasksCount':
          return [String(f.runningTasksCount)];
        case 'agentConnected':
          return [String(f.agentConnected)];
        case 'agentVersion':
          return f.agentVersion === undefined ? [] : [f.agentVersion];
        case 'dockerVersion':
          return f.dockerVersion === undefined ? [] : [f.dockerVersion];
      }
  }
}

/** Numbers compare as numbers, registeredAt as dates, everything else as strings. */
function order(s: Subject, a: string, b: string): number | undefined {
  if (s.kind === 'field' && s.name === 'registeredAt') {
    const x = Date.parse(a);
    const y = Date.parse(b);
    return Number.isNaN(x) || Number.isNaN(y) ? undefined : x - y;
  }
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareOne(s: Subject, op: CompareOp, actual: string, wanted: string): boolean {
  if (op === '=~') return pattern(wanted).test(actual);
  if (op === '==') return actual === wanted || order(s, actual, wanted) === 0;
  const o = order(s, actual, wanted);
  if (o === undefined) return false;
  switch (op) {
    case '>':
      return o > 0;
    case '>=':
      return o >= 0;
    case '<':
      return o < 0;
    case '<=':
      return o <= 0;
    default:
      return false;
  }
}

/**
 * Negative operators (!=, !~, not in, not exists) hold when no value matches the positive form, so an
 * instance without the attribute satisfies `attribute:x != y`, and `task:group != db` means "no db task here".
 */
export function evaluate(e: Expr, f: InstanceFacts): boolean {
  switch (e.kind) {
    case 'and':
      return evaluate(e.left, f) && evaluate(e.right, f);
    case 'or':
      return evaluate(e.left, f) || evaluate(e.right, f);
    case 'not':
      return !evaluate(e.expr, f);
    case 'exists':
      return (valuesOf(e.subject, f).length > 0) !== e.negated;
    case 'in': {
      const vs = valuesOf(e.subject, f);
      return vs.some((v) => e.values.some((w) => compareOne(e.subject, '==', v, w))) !== e.negated;
    }
    case 'compare': {
      const vs = valuesOf(e.subject, f);
      if (e.op === '!=') return !vs.some((v) => compareOne(e.subject, '==', v, e.value));
      if (e.op === '!~') return !vs.some((v) => compareOne(e.subject, '=~', v, e.value));
      return vs.some((v) => compareOne(e.subject, e.op, v, e.value));
    }
  }
}
