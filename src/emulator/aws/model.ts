/**
 * The runtime part of an AWS service model: the shapes of the operations a service serves, as generated from
 * botocore's pinned JSON models by scripts/generate-aws-models.ts (`<service>/model.generated.ts`), and the
 * check of a request against them. A request is checked the way AWS's JSON services check it: a value of the
 * wrong JSON type fails deserialization (SerializationException); a missing required member, a string or list
 * out of its length bounds, a number out of range, a value outside an enum or a pattern fails validation (the
 * service renders those, by default as Coral's ValidationException).
 */
export type ShapeType = 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'float' | 'double' | 'boolean' | 'timestamp' | 'blob';

export interface Shape {
  readonly type: ShapeType;
  /** structure: member name -> shape name. */
  readonly members?: Readonly<Record<string, string>>;
  readonly required?: readonly string[];
  /** list: element shape; map: value shape (keys are strings). */
  readonly member?: string;
  readonly value?: string;
  readonly enum?: readonly string[];
  /** Length (strings, lists, maps, blobs) or value (numbers) bounds. */
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
}

export interface ServiceModel {
  /** botocore's serviceId, e.g. "Secrets Manager". */
  readonly serviceId: string;
  readonly apiVersion: string;
  readonly targetPrefix: string;
  readonly jsonVersion: '1.0' | '1.1';
  /** The operations berth serves -> their input shape name (absent: no input). */
  readonly operations: Readonly<Record<string, string | undefined>>;
  /** Every operation of the service, served or not: one berth does not serve is refused by name. */
  readonly allOperations: readonly string[];
  readonly shapes: Readonly<Record<string, Shape>>;
}

/** What is wrong with a request, and where (`Names[2]`, `Tags[0].Key`). */
export type Violation =
  | { kind: 'type'; path: string; expected: ShapeType; /** 'a string', 'a list of strings', ... */ expectedText: string }
  | { kind: 'required'; path: string }
  | { kind: 'min-length' | 'max-length'; path: string; limit: number; bounds: { min?: number; max?: number } }
  | { kind: 'min-value' | 'max-value'; path: string; limit: number; bounds: { min?: number; max?: number } }
  | { kind: 'enum'; path: string; value: string; allowed: readonly string[] }
  | { kind: 'pattern'; path: string; value: string; pattern: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeMatches(type: ShapeType, v: unknown): boolean {
  switch (type) {
    case 'structure':
    case 'map':
      return isObject(v);
    case 'list':
      return Array.isArray(v);
    case 'string':
    case 'blob':
      return typeof v === 'string';
    case 'integer':
    case 'long':
      return Number.isInteger(v);
    case 'float':
    case 'double':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'timestamp':
      return (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string';
  }
}

const ARTICLE: Readonly<Record<ShapeType, string>> = {
  structure: 'a structure', list: 'a list', map: 'a map', string: 'a string', integer: 'an integer', long: 'an integer',
  float: 'a number', double: 'a number', boolean: 'a boolean', timestamp: 'a timestamp', blob: 'base64 text',
};

/** How a shape's JSON type reads in an error: "a string", "a list of strings". */
function describeType(model: ServiceModel, shape: Shape): string {
  if (shape.type === 'list' && shape.member) {
    const element = model.shapes[shape.member];
    if (element && element.type !== 'structure' && element.type !== 'list' && element.type !== 'map') return `a list of ${ARTICLE[element.type].replace(/^an? /, '')}s`;
  }
  return ARTICLE[shape.type];
}

/**
 * Every violation in `value` against `shapeName`, type errors first (they stop the walk of that value). `depth`
 * bounds how many levels of structures, lists and maps are walked into (a value's own type and scalar
 * constraints are always checked).
 */
export function checkShape(model: ServiceModel, shapeName: string, value: unknown, path = '', depth = Infinity): Violation[] {
  const out: Violation[] = [];
  walk(model, shapeName, value, path, depth, out);
  return out;
}

/** Code points, counted only when the UTF-16 length cannot settle a bound by itself (the request path is hot). */
function lengthOf(shape: Shape, value: unknown): number | undefined {
  switch (shape.type) {
    case 'string':
    case 'blob': {
      const s = value as string;
      // Code points <= UTF-16 units <= 2 x code points: only a string near a bound needs counting.
      const settled = (shape.max === undefined || s.length <= shape.max) && (shape.min === undefined || s.length >= 2 * shape.min);
      return settled ? Math.min(s.length, shape.max ?? s.length) : [...s].length;
    }
    case 'list':
      return (value as unknown[]).length;
    case 'map':
      return Object.keys(value as object).length;
    default:
      return undefined;
  }
}

function boundsOf(shape: Shape): { min?: number; max?: number } {
  return { ...(shape.min !== undefined ? { min: shape.min } : {}), ...(shape.max !== undefined ? { max: shape.max } : {}) };
}

function walk(model: ServiceModel, shapeName: string, value: unknown, path: string, depth: number, out: Violation[]): void {
  const shape = model.shapes[shapeName];
  if (!shape) return;
  if (!typeMatches(shape.type, value)) {
    out.push({ kind: 'type', path, expected: shape.type, expectedText: describeType(model, shape) });
    return;
  }
  if (shape.type === 'structure') {
    if (depth <= 0) return;
    const obj = value as Record<string, unknown>;
    if (shape.required) {
      for (const name of shape.required) if (obj[name] === undefined || obj[name] === null) out.push({ kind: 'required', path: path === '' ? name : `${path}.${name}` });
    }
    const members = shape.members;
    if (members) {
      for (const name in members) {
        const v = obj[name];
        if (v !== undefined && v !== null) walk(model, members[name]!, v, path === '' ? name : `${path}.${name}`, depth - 1, out);
      }
    }
    return;
  }
  if (shape.min !== undefined || shape.max !== undefined) {
    const length = lengthOf(shape, value);
    if (length !== undefined) {
      if (shape.min !== undefined && length < shape.min) out.push({ kind: 'min-length', path, limit: shape.min, bounds: boundsOf(shape) });
      if (shape.max !== undefined && length > shape.max) out.push({ kind: 'max-length', path, limit: shape.max, bounds: boundsOf(shape) });
    } else if (typeof value === 'number') {
      if (shape.min !== undefined && value < shape.min) out.push({ kind: 'min-value', path, limit: shape.min, bounds: boundsOf(shape) });
      if (shape.max !== undefined && value > shape.max) out.push({ kind: 'max-value', path, limit: shape.max, bounds: boundsOf(shape) });
    }
  }
  if (shape.type === 'string') {
    const s = value as string;
    if (shape.enum && !shape.enum.includes(s)) out.push({ kind: 'enum', path, value: s, allowed: shape.enum });
    if (shape.pattern && !compiled(shape.pattern).test(s)) out.push({ kind: 'pattern', path, value: s, pattern: shape.pattern });
  }
  if (depth <= 0) return;
  if (shape.type === 'list' && shape.member) {
    const list = value as unknown[];
    for (let i = 0; i < list.length; i++) walk(model, shape.member, list[i], `${path}[${i}]`, depth - 1, out);
  }
  if (shape.type === 'map' && shape.value) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(model, shape.value, v, `${path}.${k}`, depth - 1, out);
  }
}

const patterns = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    patterns.set(pattern, re);
  }
  return re;
}

/** Coral's path style: `names`, `tags.1.member.key` (1-based list positions, lower-case first letters). */
export function coralPath(path: string): string {
  return path
    .replace(/\[(\d+)\]/g, (_, i: string) => `.${Number(i) + 1}.member`)
    .split('.')
    .map((p) => (p === '' ? p : p.charAt(0).toLowerCase() + p.slice(1)))
    .join('.');
}

/** Coral's wording for one constraint violation, as AWS's JSON services send it in a ValidationException. */
export function coralMessage(v: Exclude<Violation, { kind: 'type' }>): string {
  const where = coralPath(v.path);
  switch (v.kind) {
    case 'required':
      return `Value null at '${where}' failed to satisfy constraint: Member must not be null`;
    case 'min-length':
      return `Value at '${where}' failed to satisfy constraint: Member must have length greater than or equal to ${v.limit}`;
    case 'max-length':
      return `Value at '${where}' failed to satisfy constraint: Member must have length less than or equal to ${v.limit}`;
    case 'min-value':
      return `Value at '${where}' failed to satisfy constraint: Member must have value greater than or equal to ${v.limit}`;
    case 'max-value':
      return `Value at '${where}' failed to satisfy constraint: Member must have value less than or equal to ${v.limit}`;
    case 'enum':
      return `Value '${v.value}' at '${where}' failed to satisfy constraint: Member must satisfy enum value set: [${v.allowed.join(', ')}]`;
    case 'pattern':
      return `Value '${v.value}' at '${where}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${v.pattern}`;
  }
}
