import { invalidParameter } from './errors.js';

/**
 * A small declarative check of request members (types as in ecs-service-2.json). Only the top level and
 * list element types are checked; handlers validate the nested parts they rely on.
 */
export type MemberType = 'string' | 'integer' | 'boolean' | 'list' | 'structure' | 'map' | 'timestamp';

export interface MemberSpec {
  type: MemberType;
  required?: boolean;
  enum?: readonly string[];
  /** For lists: the element type. */
  of?: MemberType;
  /** For lists of strings: the allowed element values. */
  enumOf?: readonly string[];
  /** For lists: the most elements allowed. */
  max?: number;
}

export type InputSpec = Readonly<Record<string, MemberSpec>>;

function typeOk(type: MemberType, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'timestamp':
      return typeof v === 'number' && Number.isFinite(v);
    case 'list':
      return Array.isArray(v);
    case 'structure':
    case 'map':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
}

/** Throws InvalidParameterException naming the first offending member. Unknown members are ignored, like AWS. */
export function validateInput(spec: InputSpec, input: Record<string, unknown>): void {
  for (const [name, m] of Object.entries(spec)) {
    const v = input[name];
    if (v === undefined || v === null) {
      if (m.required) throw invalidParameter(`Missing required parameter: ${name}`);
      continue;
    }
    if (!typeOk(m.type, v)) throw invalidParameter(`Invalid type for parameter ${name}: expected ${m.type}`);
    if (m.enum && !m.enum.includes(v as string)) {
      throw invalidParameter(`Invalid value for parameter ${name}: '${String(v)}', expected one of ${m.enum.join(', ')}`);
    }
    if (m.type === 'list' && m.of) {
      const of = m.of;
      (v as unknown[]).forEach((el, i) => {
        if (!typeOk(of, el)) throw invalidParameter(`Invalid type for parameter ${name}[${i}]: expected ${of}`);
      });
    }
    if (m.type === 'list' && m.enumOf) {
      const allowed = m.enumOf;
      for (const el of v as unknown[]) {
        if (!allowed.includes(el as string)) {
          throw invalidParameter(`Invalid value for parameter ${name}: '${String(el)}', expected one of ${allowed.join(', ')}`);
        }
      }
    }
    if (m.type === 'list' && m.max !== undefined && (v as unknown[]).length > m.max) {
      throw invalidParameter(`${name} can have at most ${m.max} items.`);
    }
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
