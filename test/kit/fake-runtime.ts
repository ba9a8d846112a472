/**
 * A scriptable in-memory implementation of berth's own ContainerRuntime port, for engine logic tests that
 * need no Docker (STYLE: fake the port you own, never dockerode). Calls are recorded in order.
 */
import { randomBytes } from 'node:crypto';
import type {
  ContainerEvent,
  ContainerInspect,
  ContainerRuntime,
  CreateContainerRequest,
  ImageInspect,
  RuntimeVersion,
  VolumeRequest,
} from '../../src/agent/runtime/runtime.js';

interface FakeContainer {
  id: string;
  name: string;
  running: boolean;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  exitCode: number | undefined;
}

export class FakeRuntime implements ContainerRuntime {
  readonly calls: string[] = [];
  readonly containers = new Map<string, FakeContainer>();
  private listener: ((e: ContainerEvent) => void) | undefined;

  async version(): Promise<RuntimeVersion> {
    return { version: '20.10.24', apiVersion: '1.41', minApiVersion: '1.12' };
  }
  async imageExists(): Promise<boolean> {
    return true;
  }
  async inspectImage(image: string): Promise<ImageInspect | undefined> {
    return { id: `sha256:${image}`, repoDigests: [], created: 0 };
  }
  async pullImage(image: string): Promise<void> {
    this.calls.push(`pull ${image}`);
  }
  async removeImage(image: string): Promise<void> {
    this.calls.push(`rmi ${image}`);
  }
  readonly volumes = new Set<string>();
  async createVolume(req: VolumeRequest): Promise<void> {
    this.calls.push(`volume create ${req.name}`);
    this.volumes.add(req.name);
  }
  async volumeExists(name: string): Promise<boolean> {
    return this.volumes.has(name);
  }
  async removeVolume(name: string): Promise<void> {
    this.calls.push(`volume rm ${name}`);
    this.volumes.delete(name);
  }
  async createContainer(req: CreateContainerRequest): Promise<string> {
    const id = randomBytes(32).toString('hex');
    this.containers.set(id, { id, name: req.name, running: false, startedAt: undefined, finishedAt: undefined, exitCode: undefined });
    this.calls.push(`create ${req.name}`);
    return id;
  }
  async startContainer(id: string): Promise<void> {
    const c = this.must(id);
    c.running = true;
    c.startedAt = Date.now();
    this.calls.push(`start ${c.name}`);
  }
  async stopContainer(id: string): Promise<void> {
    const c = this.must(id);
    this.calls.push(`stop ${c.name}`);
    this.exit(id, 0);
  }
  async inspectContainer(idOrName: string): Promise<ContainerInspect | undefined> {
    const c = this.containers.get(idOrName) ?? [...this.containers.values()].find((x) => x.name === idOrName);
    if (!c) return undefined;
    return {
      id: c.id,
      name: c.name,
      running: c.running,
      dead: false,
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      exitCode: c.running ? undefined : c.exitCode,
      oomKilled: false,
      error: '',
      bindings: [],
      labels: {},
    };
  }
  async removeContainer(id: string): Promise<void> {
    this.calls.push(`remove ${id}`);
    this.containers.delete(id);
  }
  streamEvents(onEvent: (e: ContainerEvent) => void, signal: AbortSignal): Promise<void> {
    this.listener = onEvent;
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  async close(): Promise<void> {}

  /** The container exits by itself (or after a stop); the event goes to whoever streams events. */
  exit(id: string, code: number): void {
    const c = this.must(id);
    c.running = false;
    c.exitCode = code;
    c.finishedAt = Date.now();
    this.emit({ action: 'die', id, exitCode: code, time: Date.now() });
  }

  emit(ev: ContainerEvent): void {
    this.listener?.(ev);
  }

  private must(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new Error(`no container ${id}`);
    return c;
  }
}
