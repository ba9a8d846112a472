/**
 * Conformance against ../shared/models: validates a JSON value against a shape of an AWS JSON model,
 * recursively: every member name must exist in the shape and every value must have the member's type.
 * Tests that use it skip themselves where ../shared is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SHARED_DIR = path.resolve(here, '..', '..', '..', 'shared');
export const MODELS_DIR = path.join(SHARED_DIR, 'models');
export const TRANSCRIPTS_DIR = path.join(SHARED_DIR, 'transcripts', 'official-agent-1.72');

export const haveModels = existsSync(path.join(MODELS_DIR, 'acs-api-2.json'));
export const haveTranscripts = existsSync(TRANSCRIPTS_DIR);

interface ShapeDef {
  type: string;
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  required?: string[];
}

export interface Model {
  metadata: Record<string, unknown>;
  operations: Record<string, { input?: { shape: string }; output?: { shape: string }; errors?: { shape: string }[] }>;
  shapes: Record<string, ShapeDef>;
}

const cache = new Map<string, Model>();

export function loadModel(name: 'acs-api-2.json' | 'tcs-api-2.json' | 'ecs-service-2.json'): Model {
  let m = cache.get(name);
  if (!m) {
    m = JSON.parse(readFileSync(path.join(MODELS_DIR, name), 'utf8')) as Model;
    cache.set(name, m);
  }
  return m;
}

/** Returns a list of violations (empty when the value conforms). */
export function validateShape(model: Model, shapeName: string, value: unknown, at = '$'): string[] {
  const shape = model.shapes[shapeName];
  if (!shape) return [`${at}: unknown shape ${shapeName}`];
  if (value === null || value === undefined) return [];
  const errs: string[] = [];
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected object for ${shapeName}`];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const member = shape.members?.[k];
        if (!member) {
          errs.push(`${at}.${k}: not a member of ${shapeName}`);
          continue;
        }
        errs.push(...validateShape(model, member.shape, v, `${at}.${k}`));
      }
      return errs;
    }
    case 'list':
      if (!Array.isArray(value)) return [`${at}: expected list for ${shapeName}`];
      value.forEach((v, i) => errs.push(...validateShape(model, shape.member!.shape, v, `${at}[${i}]`)));
      return errs;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected map for ${shapeName}`];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        errs.push(...validateShape(model, shape.value!.shape, v, `${at}.${k}`));
      }
      return errs;
    case 'string':
      if (typeof value !== 'string') return [`${at}: expected string for ${shapeName}`];
      if (shape.enum && !shape.enum.includes(value)) return [`${at}: ${value} not in enum ${shapeName}`];
      return [];
    case 'integer':
    case 'long':
      return Number.isInteger(value) ? [] : [`${at}: expected integer for ${shapeName}`];
    case 'double':
    case 'float':
      return typeof value === 'number' ? [] : [`${at}: expected number for ${shapeName}`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: expected boolean for ${shapeName}`];
    case 'timestamp':
      return typeof value === 'number' ? [] : [`${at}: expected epoch-seconds number for ${shapeName}`];
    case 'blob':
      return typeof value === 'string' ? [] : [`${at}: expected base64 string for ${shapeName}`];
    default:
      return [`${at}: unsupported shape type ${shape.type}`];
  }
}

/** Required members of a structure that are missing in value. */
export function missingRequired(model: Model, shapeName: string, value: Record<string, unknown>): string[] {
  const shape = model.shapes[shapeName];
  return (shape?.required ?? []).filter((k) => value[k] === undefined);
}
