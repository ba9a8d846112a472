/**
 * What the local endpoints know about tasks: the engine's records (read through the state store, which every
 * engine step writes before it returns) joined with `docker inspect` of their containers. Inspect results are
 * cached for a second, so a burst of metadata requests costs Docker one inspect per container.
 */
import type { ContainerSpec, ContainerState, TaskRecord } from '../model/task.js';
import type { ContainerInspect, ContainerRuntime } from '../runtime/runtime.js';
import type { Details } from './responses.js';
import { realClock } from '../../shared/clock.js';

const INSPECT_CACHE_MS = 1000;

export interface ContainerRef {
  rec: TaskRecord;
  spec: ContainerSpec;
  state: ContainerState;
}

export class TaskView {
  private readonly cache = new Map<string, { at: number; info: ContainerInspect | undefined }>();

  constructor(private readonly opts: { records: () => TaskRecord[]; runtime: ContainerRuntime }) {}

  records(): TaskRecord[] {
    return this.opts.records();
  }

  byArn(arn: string): TaskRecord | undefined {
    return this.records().find((r) => r.spec.arn === arn);
  }

  /** The container whose v3 endpoint id this is (one UUID per container, §8.3). */
  byV3Id(id: string): ContainerRef | undefined {
    for (const rec of this.records()) {
      const state = rec.state.containers.find((c) => c.v3EndpointId === id);
      const spec = state && rec.spec.containers.find((c) => c.name === state.name);
      if (state && spec) return { rec, spec, state };
    }
    return undefined;
  }

  byDockerId(id: string): ContainerRef | undefined {
    for (const rec of this.records()) {
      const state = rec.state.containers.find((c) => c.dockerId === id);
      const spec = state && rec.spec.containers.find((c) => c.name === state.name);
      if (state && spec) return { rec, spec, state };
    }
    return undefined;
  }

  async inspect(dockerId: string, signal: AbortSignal): Promise<ContainerInspect | undefined> {
    const hit = this.cache.get(dockerId);
    if (hit && realClock.now() - hit.at < INSPECT_CACHE_MS) return hit.info;
    const info = await this.opts.runtime.inspectContainer(dockerId, signal);
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(dockerId, { at: realClock.now(), info });
    return info;
  }

  async details(rec: TaskRecord, signal: AbortSignal): Promise<Details> {
    const out = new Map<string, ContainerInspect | undefined>();
    await Promise.all(
      rec.state.containers.map(async (c) => {
        out.set(c.name, c.dockerId === undefined ? undefined : await this.inspect(c.dockerId, signal).catch(() => undefined));
      }),
    );
    return out;
  }

  /** The IPv4/IPv6 addresses the task's running containers have on their Docker networks. */
  async addressesOf(rec: TaskRecord, signal: AbortSignal): Promise<Set<string>> {
    const ips = new Set<string>();
    for (const c of rec.state.containers) {
      if (c.dockerId === undefined || c.known === 'STOPPED') continue;
      const info = await this.inspect(c.dockerId, signal).catch(() => undefined);
      for (const n of info?.networks ?? []) {
        if (n.ipv4) ips.add(n.ipv4);
        if (n.ipv6) ips.add(n.ipv6);
      }
    }
    return ips;
  }

  /**
   * The task whose container has this source address (how v2 identifies callers). Host-mode tasks share the
   * host's addresses and can never be identified this way.
   */
  async taskForAddress(ip: string, signal: AbortSignal): Promise<TaskRecord | undefined> {
    for (const rec of this.records()) {
      if (rec.spec.networkMode === 'host' || rec.state.known === 'STOPPED') continue;
      if ((await this.addressesOf(rec, signal)).has(ip)) return rec;
    }
    return undefined;
  }
}
