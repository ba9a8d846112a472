/**
 * ContainerRuntime over dockerode: the only file that imports it. Every call is bounded by a timeout and
 * the caller's AbortSignal, and Docker failures become BerthErrors named like the official agent's.
 */
import Docker from 'dockerode';
import { BerthError, errorMessage, isBerthError, type AgentErrorCode } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { PULL_PROGRESS_INTERVAL_MS, PullProgressLog, type PullProgressEvent } from './pull-progress.js';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { CONTAINERD_SOCKETS, streamContainerdEvents } from './containerd-events.js';
import type {
  ContainerEvent,
  ContainerHealth,
  ContainerInspect,
  ContainerRuntime,
  ContainerSummary,
  CreateContainerRequest,
  ImageInspect,
  ImageSummary,
  ProcessEvent,
  NetworkBinding,
  RegistryAuth,
  RuntimeVersion,
  VolumeInfo,
  VolumeRequest,
} from './runtime.js';
import { realClock, type TimerHandle } from '../../shared/clock.js';

// The official agent's fixed Docker call timeouts (dockerapi/docker_client.go); the others come from config.
const INSPECT_TIMEOUT_MS = 30_000;
const REMOVE_TIMEOUT_MS = 5 * 60_000;
const REMOVE_IMAGE_TIMEOUT_MS = 3 * 60_000;
const VOLUME_TIMEOUT_MS = 5 * 60_000;
const STOP_SLACK_MS = 2 * 60_000;

/** dockerode accepts `abortSignal` on these calls at runtime, but its typings miss it for some of them. */
type WithSignal<T> = (opts: { abortSignal: AbortSignal }) => Promise<T>;
function withSignal<T>(fn: unknown, self: unknown): WithSignal<T> {
  return (fn as (this: unknown, opts: { abortSignal: AbortSignal }) => Promise<T>).bind(self);
}

function statusCode(err: unknown): number | undefined {
  const c = (err as { statusCode?: unknown }).statusCode;
  return typeof c === 'number' ? c : undefined;
}

function dockerTime(s: unknown): number | undefined {
  if (typeof s !== 'string' || s.startsWith('0001-01-01')) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

function mapBindings(ports: unknown): NetworkBinding[] {
  const out: NetworkBinding[] = [];
  if (typeof ports !== 'object' || ports === null) return out;
  for (const [key, list] of Object.entries(ports as Record<string, unknown>)) {
    const [port, proto] = key.split('/');
    if (!Array.isArray(list)) continue;
    for (const b of list as { HostIp?: string; HostPort?: string }[]) {
      out.push({
        bindIP: b.HostIp ?? '',
        containerPort: Number(port),
        hostPort: Number(b.HostPort),
        protocol: proto === 'udp' ? 'udp' : 'tcp',
      });
    }
  }
  return out;
}

function mapHealth(raw: unknown): ContainerHealth | undefined {
  const h = raw as { Status?: string; Log?: { End?: string; ExitCode?: number; Output?: string }[] } | undefined;
  if (!h || (h.Status !== 'starting' && h.Status !== 'healthy' && h.Status !== 'unhealthy')) return undefined;
  const last = h.Log?.[h.Log.length - 1];
  return { status: h.Status, lastCheckAt: dockerTime(last?.End), output: last?.Output ?? '', exitCode: last?.ExitCode };
}

export function mapInspect(raw: Docker.ContainerInspectInfo): ContainerInspect {
  const state = raw.State;
  const finishedAt = dockerTime(state.FinishedAt);
  return {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ''),
    running: state.Running,
    dead: state.Dead,
    startedAt: dockerTime(state.StartedAt),
    finishedAt,
    exitCode: !state.Running && finishedAt !== undefined ? state.ExitCode : undefined,
    oomKilled: state.OOMKilled,
    error: state.Error ?? '',
    bindings: mapBindings(raw.NetworkSettings?.Ports),
    labels: raw.Config?.Labels ?? {},
    health: mapHealth((state as { Health?: unknown }).Health),
    imageId: raw.Image,
    createdAt: dockerTime(raw.Created),
    networkMode: raw.HostConfig?.NetworkMode,
    pid: state.Running && state.Pid > 0 ? state.Pid : undefined,
    networks: Object.entries(raw.NetworkSettings?.Networks ?? {}).map(([name, n]) => ({
      name,
      ipv4: n.IPAddress || undefined,
      ipv6: n.GlobalIPv6Address || undefined,
      gateway: n.Gateway || undefined,
    })),
  };
}

/** The first host address of a CIDR ("172.17.0.0/16" -> "172.17.0.1"): Docker's default gateway choice. */
function firstHost(cidr: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/\d+$/.exec(cidr);
  if (!m) return undefined;
  return `${m[1]}.${m[2]}.${m[3]}.${Number(m[4]) + 1}`;
}

function inspectImage(docker: Docker, image: string, signal: AbortSignal): Promise<Docker.ImageInspectInfo> {
  const img = docker.getImage(image);
  return withSignal<Docker.ImageInspectInfo>(img.inspect, img)({ abortSignal: signal });
}

export interface DockerRuntimeOptions {
  dockerHost: string;
  /** Where pull progress goes ('image pull progress' lines); no progress lines without it. */
  log?: Logger | undefined;
  /** At most one progress line per pull this often (default 5 s; tests use 0). */
  pullProgressIntervalMs?: number | undefined;
  /** containerd socket for early exits (streamProcessEvents): a path or 'auto'; undefined = Docker events only. */
  containerdSocket?: string | undefined;
}

export class DockerRuntime implements ContainerRuntime {
  private readonly docker: Docker;
  private readonly log: Logger | undefined;
  private readonly pullProgressIntervalMs: number;
  private readonly containerdSocket: string | undefined;

  constructor(opts: DockerRuntimeOptions) {
    this.log = opts.log;
    this.containerdSocket = opts.containerdSocket;
    this.pullProgressIntervalMs = opts.pullProgressIntervalMs ?? PULL_PROGRESS_INTERVAL_MS;
    const host = opts.dockerHost;
    if (host.startsWith('unix://')) this.docker = new Docker({ socketPath: host.slice('unix://'.length) });
    else if (host.startsWith('tcp://') || host.startsWith('http://')) {
      const u = new URL(host.replace(/^tcp:/, 'http:'));
      this.docker = new Docker({ host: u.hostname, port: Number(u.port || 2375), protocol: 'http' });
    } else this.docker = new Docker({ socketPath: host });
  }

  /** Runs `fn` under a signal that fires at the timeout or when the caller aborts; maps failures to `code`. */
  private async call<T>(
    what: string,
    code: AgentErrorCode,
    timeoutMs: number,
    signal: AbortSignal,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    try {
      return await fn(combined);
    } catch (err) {
      if (isBerthError(err)) throw err;
      if (timeout.aborted && !signal.aborted) {
        throw new BerthError('DockerTimeoutError', `Could not transition to ${what}; timed out after waiting ${timeoutMs / 1000}s`, { cause: err });
      }
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(`${what} aborted`);
      throw new BerthError(code, errorMessage(err).replace(/^\(HTTP code \d+\) [a-z ]+ - /, '').trim(), { cause: err });
    }
  }

  version(signal: AbortSignal): Promise<RuntimeVersion> {
    return this.call('version', 'DockerUnavailableError', INSPECT_TIMEOUT_MS, signal, async (s) => {
      const v = await withSignal<Docker.DockerVersion>(this.docker.version, this.docker)({ abortSignal: s });
      const info = (await withSignal<unknown>(this.docker.info, this.docker)({ abortSignal: s })) as { Plugins?: { Log?: unknown } };
      const log = info.Plugins?.Log;
      const logDrivers = Array.isArray(log) ? log.filter((d): d is string => typeof d === 'string') : undefined;
      return { version: v.Version, apiVersion: v.ApiVersion, minApiVersion: v.MinAPIVersion ?? v.ApiVersion, logDrivers };
    });
  }

  imageExists(image: string, signal: AbortSignal): Promise<boolean> {
    return this.call('inspect image', 'CannotPullContainerError', INSPECT_TIMEOUT_MS, signal, async (s) => {
      try {
        await inspectImage(this.docker, image, s);
        return true;
      } catch (err) {
        if (statusCode(err) === 404) return false;
        throw err;
      }
    });
  }

  inspectImage(image: string, signal: AbortSignal): Promise<ImageInspect | undefined> {
    return this.call('inspect image', 'CannotPullContainerError', INSPECT_TIMEOUT_MS, signal, async (s) => {
      try {
        const info = await inspectImage(this.docker, image, s);
        return { id: info.Id, repoDigests: info.RepoDigests ?? [], created: dockerTime(info.Created) };
      } catch (err) {
        if (statusCode(err) === 404) return undefined;
        throw err;
      }
    });
  }

  /**
   * Pull bounded by the overall timeout and by inactivity: no progress line for `inactivityMs` aborts it
   * (ECS_IMAGE_PULL_INACTIVITY_TIMEOUT).
   */
  pullImage(image: string, opts: { timeoutMs: number; signal: AbortSignal; auth?: RegistryAuth | undefined; inactivityMs?: number }): Promise<void> {
    return this.call('PULLED', 'CannotPullContainerError', opts.timeoutMs, opts.signal, async (s) => {
      const idle = new AbortController();
      const signal = AbortSignal.any([s, idle.signal]);
      let timer: TimerHandle | undefined;
      const touch = (): void => {
        if (opts.inactivityMs === undefined) return;
        realClock.clearTimeout(timer);
        timer = realClock.setTimeout(() => idle.abort(new BerthError('CannotPullContainerError', `inactivity time exceeded timeout while pulling ${image}`)), opts.inactivityMs, { keepAlive: true });
      };
      const progress = this.log ? new PullProgressLog(image, this.log, this.pullProgressIntervalMs) : undefined;
      const onProgress = (event: PullProgressEvent): void => {
        touch();
        progress?.add(event);
      };
      try {
        touch();
        const stream = await this.docker.pull(image, { abortSignal: signal, ...(opts.auth ? { authconfig: opts.auth } : {}) });
        await new Promise<void>((resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason instanceof Error ? signal.reason : new Error('pull aborted')), { once: true });
          this.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()), onProgress);
        });
        progress?.finish();
      } finally {
        realClock.clearTimeout(timer);
      }
      // followProgress reports in-band errors only when they are the last line; make sure the image is there.
      await inspectImage(this.docker, image, s);
    });
  }

  removeImage(image: string, signal: AbortSignal): Promise<void> {
    return this.call('image removed', 'CannotRemoveImageError', REMOVE_IMAGE_TIMEOUT_MS, signal, async (s) => {
      try {
        const img = this.docker.getImage(image);
        await withSignal<unknown>(img.remove, img)({ abortSignal: s });
      } catch (err) {
        if (statusCode(err) !== 404) throw err;
      }
    });
  }

  createVolume(req: VolumeRequest, signal: AbortSignal): Promise<void> {
    return this.call('volume created', 'ResourceInitializationError', VOLUME_TIMEOUT_MS, signal, async (s) => {
      await this.docker.createVolume({ Name: req.name, Driver: req.driver, DriverOpts: req.driverOpts, Labels: req.labels, abortSignal: s } as Docker.VolumeCreateOptions);
    });
  }

  volumeExists(name: string, signal: AbortSignal): Promise<boolean> {
    return this.call('volume inspected', 'ResourceInitializationError', VOLUME_TIMEOUT_MS, signal, async (s) => {
      try {
        const v = this.docker.getVolume(name);
        await withSignal<unknown>(v.inspect, v)({ abortSignal: s });
        return true;
      } catch (err) {
        if (statusCode(err) === 404) return false;
        throw err;
      }
    });
  }

  removeVolume(name: string, signal: AbortSignal): Promise<void> {
    return this.call('volume removed', 'ResourceInitializationError', VOLUME_TIMEOUT_MS, signal, async (s) => {
      try {
        const v = this.docker.getVolume(name);
        await withSignal<unknown>(v.remove, v)({ abortSignal: s });
      } catch (err) {
        if (statusCode(err) !== 404) throw err;
      }
    });
  }

  createContainer(req: CreateContainerRequest, opts: { timeoutMs: number; signal: AbortSignal }): Promise<string> {
    return this.call('CREATED', 'CannotCreateContainerError', opts.timeoutMs, opts.signal, async (s) => {
      const c = await this.docker.createContainer({ ...req.body, name: req.name, abortSignal: s } as Docker.ContainerCreateOptions);
      return c.id;
    });
  }

  startContainer(id: string, opts: { timeoutMs: number; signal: AbortSignal }): Promise<void> {
    return this.call('RUNNING', 'CannotStartContainerError', opts.timeoutMs, opts.signal, async (s) => {
      try {
        await this.docker.getContainer(id).start({ abortSignal: s });
      } catch (err) {
        if (statusCode(err) !== 304) throw err; // already started
      }
    });
  }

  stopContainer(id: string, opts: { graceSeconds: number; signal: AbortSignal }): Promise<void> {
    const timeoutMs = opts.graceSeconds * 1000 + STOP_SLACK_MS;
    return this.call('STOPPED', 'CannotStopContainerError', timeoutMs, opts.signal, async (s) => {
      try {
        await this.docker.getContainer(id).stop({ t: opts.graceSeconds, abortSignal: s });
      } catch (err) {
        if (statusCode(err) !== 304 && statusCode(err) !== 404) throw err;
      }
    });
  }

  inspectContainer(idOrName: string, signal: AbortSignal): Promise<ContainerInspect | undefined> {
    return this.call('inspect', 'CannotInspectContainerError', INSPECT_TIMEOUT_MS, signal, async (s) => {
      try {
        return mapInspect(await this.docker.getContainer(idOrName).inspect({ abortSignal: s }));
      } catch (err) {
        if (statusCode(err) === 404) return undefined;
        throw err;
      }
    });
  }

  removeContainer(id: string, signal: AbortSignal): Promise<void> {
    return this.call('removed', 'CannotRemoveContainerError', REMOVE_TIMEOUT_MS, signal, async (s) => {
      try {
        await this.docker.getContainer(id).remove({ v: true, force: true, abortSignal: s });
      } catch (err) {
        if (statusCode(err) !== 404) throw err;
      }
    });
  }

  inspectVolume(name: string, signal: AbortSignal): Promise<VolumeInfo | undefined> {
    return this.call('volume inspected', 'ResourceInitializationError', VOLUME_TIMEOUT_MS, signal, async (s) => {
      try {
        const v = this.docker.getVolume(name);
        const raw = (await withSignal<unknown>(v.inspect, v)({ abortSignal: s })) as { Name: string; Driver: string; Options?: Record<string, string> | null; Labels?: Record<string, string> | null };
        return { name: raw.Name, driver: raw.Driver, options: raw.Options ?? {}, labels: raw.Labels ?? {} };
      } catch (err) {
        if (statusCode(err) === 404) return undefined;
        throw err;
      }
    });
  }

  listImages(signal: AbortSignal): Promise<ImageSummary[]> {
    return this.call('images listed', 'CannotInspectContainerError', INSPECT_TIMEOUT_MS, signal, async (s) => {
      const rows = await this.docker.listImages({ abortSignal: s } as Docker.ListImagesOptions);
      return rows.map((r) => ({
        id: r.Id,
        repoTags: (r.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>'),
        created: r.Created * 1000,
        size: r.Size,
      }));
    });
  }

  listContainers(labels: Record<string, string>, signal: AbortSignal): Promise<ContainerSummary[]> {
    return this.call('list', 'CannotInspectContainerError', INSPECT_TIMEOUT_MS, signal, async (s) => {
      const rows = await this.docker.listContainers({
        all: true,
        filters: JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) }),
        abortSignal: s,
      } as Docker.ContainerListOptions);
      return rows.map((r) => ({
        id: r.Id,
        name: (r.Names[0] ?? '').replace(/^\//, ''),
        running: r.State === 'running',
        labels: r.Labels ?? {},
        state: r.State,
        imageId: r.ImageID,
      }));
    });
  }

  async streamEvents(onEvent: (e: ContainerEvent) => void, signal: AbortSignal): Promise<void> {
    const stream = (await this.docker.getEvents({
      filters: JSON.stringify({ type: ['container'] }),
      abortSignal: signal,
    } as Docker.GetEventsOptions)) as NodeJS.ReadableStream;
    await new Promise<void>((resolve) => {
      let buf = '';
      const done = (): void => resolve();
      stream.on('data', (chunk: Buffer) => {
        buf += chunk.toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n')) !== -1) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (line) this.emitEvent(line, onEvent);
        }
      });
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', done);
      signal.addEventListener('abort', () => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        done();
      }, { once: true });
    });
  }

  /** Rejects with ContainerdUnavailableError when no socket is configured or found (the engine then stops asking). */
  async streamProcessEvents(onEvent: (e: ProcessEvent) => void, signal: AbortSignal): Promise<void> {
    const configured = this.containerdSocket;
    const socket = configured === 'auto' ? CONTAINERD_SOCKETS.find((p) => existsSync(p)) : configured;
    if (socket === undefined) throw new BerthError('ContainerdUnavailableError', configured === 'auto' ? `no containerd socket at ${CONTAINERD_SOCKETS.join(' or ')}` : 'containerd exits are off');
    await streamContainerdEvents(socket, onEvent, signal);
  }

  networkGateway(network: string, signal: AbortSignal): Promise<string | undefined> {
    return this.call('inspect network', 'DockerUnavailableError', INSPECT_TIMEOUT_MS, signal, async (s) => {
      try {
        const net = this.docker.getNetwork(network);
        const info = (await withSignal<Docker.NetworkInspectInfo>(net.inspect, net)({ abortSignal: s })) as Docker.NetworkInspectInfo;
        const v4 = (info.IPAM?.Config ?? []).find((c) => c.Subnet !== undefined && !c.Subnet.includes(':'));
        return v4?.Gateway || (v4?.Subnet ? firstHost(v4.Subnet) : undefined);
      } catch (err) {
        if (statusCode(err) === 404) return undefined;
        throw err;
      }
    });
  }

  private emitEvent(line: string, onEvent: (e: ContainerEvent) => void): void {
    let raw: { Action?: string; status?: string; id?: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; timeNano?: number; time?: number };
    try {
      raw = JSON.parse(line) as typeof raw;
    } catch {
      return;
    }
    const id = raw.Actor?.ID ?? raw.id;
    const action = raw.Action ?? raw.status;
    if (!id || !action) return;
    const exit = raw.Actor?.Attributes?.['exitCode'];
    onEvent({
      action,
      id,
      exitCode: exit === undefined ? undefined : Number(exit),
      time: raw.timeNano ? Math.floor(raw.timeNano / 1e6) : (raw.time ?? 0) * 1000,
    });
  }

  /**
   * A container's stdout and stderr as Docker's log driver reads them back (json-file, local, journald), as one
   * text stream; `follow` keeps it open until the container stops or `signal` fires. For `berth logs`.
   */
  async containerLogs(id: string, opts: { follow: boolean; signal: AbortSignal }): Promise<NodeJS.ReadableStream> {
    const container = this.docker.getContainer(id);
    const info = await withSignal<Docker.ContainerInspectInfo>(container.inspect, container)({ abortSignal: opts.signal });
    const tty = info.Config.Tty;
    const out = new PassThrough();
    if (opts.follow) {
      const stream = (await container.logs({ follow: true, stdout: true, stderr: true, abortSignal: opts.signal })) as NodeJS.ReadableStream;
      stream.on('end', () => out.end());
      stream.on('error', () => out.end());
      if (tty) stream.pipe(out);
      else this.docker.modem.demuxStream(stream, out, out);
    } else {
      const raw = (await container.logs({ follow: false, stdout: true, stderr: true, abortSignal: opts.signal })) as unknown as Buffer;
      out.end(tty ? raw : demuxFrames(raw));
    }
    return out;
  }

  async close(): Promise<void> {
    // dockerode keeps no persistent connections beyond the ones callers abort.
  }
}

/** Docker's multiplexed log frames (8-byte header: stream, 0, 0, 0, big-endian size) -> their payloads. */
function demuxFrames(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= raw.length) {
    const size = raw.readUInt32BE(i + 4);
    parts.push(raw.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts);
}
