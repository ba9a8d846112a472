/**
 * The container runtime port: berth's own view of Docker. Only ./docker.ts implements it with dockerode;
 * the engine, reporter and tests see these types. Every call takes an AbortSignal and throws BerthError
 * with the official error name as its code (CannotCreateContainerError, DockerTimeoutError, ...).
 */

export interface RuntimeVersion {
  version: string;
  apiVersion: string;
  minApiVersion: string;
  /** The log drivers the daemon has (docker info: Plugins.Log); undefined when it does not say. */
  logDrivers?: readonly string[] | undefined;
}

export interface NetworkBinding {
  bindIP: string;
  containerPort: number;
  hostPort: number;
  protocol: 'tcp' | 'udp';
}

/** The Docker Engine create body (Config with HostConfig inside), as built by engine/create-request.ts. */
export interface CreateContainerRequest {
  name: string;
  body: Record<string, unknown>;
}

/** State.Health of `docker inspect`: starting, healthy or unhealthy, with the last check's end time. */
export interface ContainerHealth {
  status: 'starting' | 'healthy' | 'unhealthy';
  /** Epoch ms of the last check's end; undefined before the first check. */
  lastCheckAt: number | undefined;
  /** Output of the last check (trimmed by Docker to 4 KiB). */
  output: string;
  exitCode: number | undefined;
}

/** One row of `docker ps -a` (the list call, far cheaper than an inspect per container). */
export interface ContainerSummary {
  id: string;
  /** Without the leading '/'. */
  name: string;
  running: boolean;
  labels: Record<string, string>;
  /** Docker's state word: created, running, paused, restarting, removing, exited or dead. */
  state?: string;
  /** sha256:... of the image the container was created from. */
  imageId?: string;
}

/** One row of `docker images` (top-level images, as the official agent lists them for untracked cleanup). */
export interface ImageSummary {
  id: string;
  /** name:tag references; empty for an untagged image. */
  repoTags: string[];
  /** Creation time of the image (epoch ms). */
  created: number;
  size: number;
}

/** What `docker volume inspect` says about an existing volume. */
export interface VolumeInfo {
  name: string;
  driver: string;
  options: Record<string, string>;
  labels: Record<string, string>;
}

/** The part of `docker inspect` berth relies on, mapped once. */
export interface ContainerInspect {
  id: string;
  name: string;
  running: boolean;
  dead: boolean;
  /** Epoch ms; undefined when Docker reports the zero time. */
  startedAt: number | undefined;
  finishedAt: number | undefined;
  exitCode: number | undefined;
  oomKilled: boolean;
  error: string;
  bindings: NetworkBinding[];
  labels: Record<string, string>;
  /** Docker's health check state; undefined when the container has no health check. */
  health?: ContainerHealth | undefined;
  /** For the task metadata endpoints (§8.2); optional so that runtime fakes need not fill them. */
  imageId?: string;
  /** Epoch ms of `docker create`. */
  createdAt?: number | undefined;
  /** Docker's HostConfig.NetworkMode (bridge, host, none, container:<id>, <network name>). */
  networkMode?: string;
  /** One entry per attached Docker network, with the container's addresses on it. */
  networks?: ContainerNetwork[];
  /** PID of the container's init process while it runs (its namespaces: /proc/<pid>/ns/*). */
  pid?: number | undefined;
}

export interface ImageInspect {
  id: string;
  /** `repo@sha256:...` entries; empty for images that were never pulled from a registry. */
  repoDigests: string[];
  /** Epoch ms. */
  created: number | undefined;
}

/** Docker's registry auth object (X-Registry-Auth): username/password or an identity token. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
}

export interface VolumeRequest {
  name: string;
  driver: string;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
}

export interface ContainerNetwork {
  name: string;
  ipv4: string | undefined;
  ipv6: string | undefined;
  gateway: string | undefined;
}

export interface ContainerEvent {
  /** Docker's action: create, start, die, stop, kill, oom, destroy, health_status: ... */
  action: string;
  id: string;
  exitCode: number | undefined;
  /** Epoch ms. */
  time: number;
}

/**
 * What the runtime below Docker (containerd) says about a container's processes, before dockerd has processed
 * it: the init process exited (exit status and time), or the kernel OOM-killed a process of the container.
 */
export type ProcessEvent = { kind: 'exit'; id: string; exitCode: number; /** Epoch ms. */ exitedAt: number } | { kind: 'oom'; id: string };

export interface ContainerRuntime {
  version(signal: AbortSignal): Promise<RuntimeVersion>;
  imageExists(image: string, signal: AbortSignal): Promise<boolean>;
  /** undefined when the image is not present. */
  inspectImage(image: string, signal: AbortSignal): Promise<ImageInspect | undefined>;
  /** `inactivityMs`: fail when no progress arrives for that long (ECS_IMAGE_PULL_INACTIVITY_TIMEOUT). */
  pullImage(image: string, opts: { timeoutMs: number; signal: AbortSignal; auth?: RegistryAuth | undefined; inactivityMs?: number }): Promise<void>;
  /** Removing an image that is gone is not an error; one still used by a container fails. */
  removeImage(image: string, signal: AbortSignal): Promise<void>;
  /** Creates the volume when it does not exist (Docker's create is idempotent for the same name and driver). */
  createVolume(req: VolumeRequest, signal: AbortSignal): Promise<void>;
  volumeExists(name: string, signal: AbortSignal): Promise<boolean>;
  /** undefined when no such volume exists. Optional: fakes without it only know whether a volume exists. */
  inspectVolume?(name: string, signal: AbortSignal): Promise<VolumeInfo | undefined>;
  /** Every top-level image (untracked image cleanup). */
  listImages?(signal: AbortSignal): Promise<ImageSummary[]>;
  /** Removing a volume that is gone is not an error. */
  removeVolume(name: string, signal: AbortSignal): Promise<void>;
  createContainer(req: CreateContainerRequest, opts: { timeoutMs: number; signal: AbortSignal }): Promise<string>;
  startContainer(id: string, opts: { timeoutMs: number; signal: AbortSignal }): Promise<void>;
  /** Docker's stop: signal, then SIGKILL after `graceSeconds`. Stopping a stopped container is not an error. */
  stopContainer(id: string, opts: { graceSeconds: number; signal: AbortSignal }): Promise<void>;
  /** undefined when no such container exists. */
  inspectContainer(idOrName: string, signal: AbortSignal): Promise<ContainerInspect | undefined>;
  /** Removing a container that is already gone is not an error. */
  removeContainer(id: string, signal: AbortSignal): Promise<void>;
  /**
   * Streams container events to `onEvent` until the stream ends or `signal` aborts; resolves when it ends
   * (the caller reopens it), rejects when it cannot be opened.
   */
  streamEvents(onEvent: (e: ContainerEvent) => void, signal: AbortSignal): Promise<void>;
  /**
   * Container exits and OOM kills as the runtime below Docker sees them, earlier than Docker's `die` under load
   * (see containerd-events.ts). Same contract as streamEvents. Absent (or rejecting) where that runtime cannot be
   * reached: Docker's events alone then tell the engine.
   */
  streamProcessEvents?(onEvent: (e: ProcessEvent) => void, signal: AbortSignal): Promise<void>;
  /**
   * Every container (running or not) carrying all of `labels` (restart reconciliation, periodic relist).
   * Optional so that fakes without labels need not implement it; the engine then reconciles from its store only.
   */
  listContainers?(labels: Record<string, string>, signal: AbortSignal): Promise<ContainerSummary[]>;
  /**
   * The host-side gateway address of a Docker network (bridge: docker0's address), where containers on it can
   * reach servers on the host. undefined when the network does not exist or has no IPv4 gateway.
   */
  networkGateway?(network: string, signal: AbortSignal): Promise<string | undefined>;
  close(): Promise<void>;
}
