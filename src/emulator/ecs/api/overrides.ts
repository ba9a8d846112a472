import { parseTaskCpu, parseTaskMemory } from '../scheduler/demand.js';
import type { ContainerOverride, TaskDefinitionRecord } from '../records.js';
import { invalidParameter } from '../errors.js';
import type { TaskOverride } from '../model.generated.js';
import { isRecord } from '../validate.js';

/** RunTask / StartTask `overrides` as the model has them. */
export type TaskOverridesInput = TaskOverride;

export interface CheckedOverrides {
  containerOverrides: ContainerOverride[];
  cpu?: string;
  memory?: string;
}

/** RunTask / StartTask `overrides`: each container override must name a container of the definition. */
export function checkOverrides(raw: TaskOverridesInput | undefined, td: TaskDefinitionRecord): CheckedOverrides {
  if (raw === undefined) return { containerOverrides: [] };
  const list = raw.containerOverrides ?? [];
  if (!Array.isArray(list)) throw invalidParameter('overrides.containerOverrides must be a list.');
  const names = new Set((td.body['containerDefinitions'] as { name: string }[]).map((d) => d.name));
  const containerOverrides = list.map((o, i): ContainerOverride => {
    const at = `overrides.containerOverrides[${i}]`;
    if (!isRecord(o)) throw invalidParameter(`${at} must be a structure.`);
    if (typeof o['name'] !== 'string' || !names.has(o['name'])) {
      throw invalidParameter(`Override for container named ${String(o['name'])} is not a container in the TaskDefinition.`);
    }
    if (o['command'] !== undefined && !(Array.isArray(o['command']) && o['command'].every((c) => typeof c === 'string'))) {
      throw invalidParameter(`${at}.command must be a list of strings.`);
    }
    const env = o['environment'];
    if (env !== undefined && !(Array.isArray(env) && env.every((e) => isRecord(e) && typeof e['name'] === 'string'))) {
      throw invalidParameter(`${at}.environment must be a list of name/value pairs.`);
    }
    for (const k of ['cpu', 'memory', 'memoryReservation'] as const) {
      const v = o[k];
      if (v !== undefined && (!Number.isInteger(v) || (v as number) < 0)) throw invalidParameter(`${at}.${k} must be a non-negative integer.`);
    }
    return o as ContainerOverride;
  });
  if (raw.cpu !== undefined && (typeof raw.cpu !== 'string' || parseTaskCpu(raw.cpu) === undefined)) {
    throw invalidParameter(`Invalid 'cpu' setting for task: ${String(raw.cpu)}.`);
  }
  if (raw.memory !== undefined && (typeof raw.memory !== 'string' || parseTaskMemory(raw.memory) === undefined)) {
    throw invalidParameter(`Invalid 'memory' setting for task: ${String(raw.memory)}.`);
  }
  return { containerOverrides, cpu: raw.cpu, memory: raw.memory };
}
