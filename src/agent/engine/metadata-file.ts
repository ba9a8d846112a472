/**
 * ECS_ENABLE_CONTAINER_METADATA (spec §1.3, §8.3): one JSON file per task container, as the official agent's
 * containermetadata package writes it.
 *
 *   written at   <ECS_DATADIR>/metadata/<cluster>/<taskId>/<containerName>/ecs-container-metadata.json
 *   bind source  the same directory seen from the host: ECS_HOST_DATA_DIR joined with that path. berth
 *                normally runs on the host, so ECS_HOST_DATA_DIR defaults to "/" (the path as written); set
 *                it when berth runs in a container whose ECS_DATADIR is a mount (official: /var/lib/ecs with
 *                ECS_DATADIR=/data, giving /var/lib/ecs/data/metadata/...).
 *   in container /opt/ecs/metadata/<random uuid>/ (the uuid keeps it clear of the task's own mounts), and
 *                ECS_CONTAINER_METADATA_FILE=/opt/ecs/metadata/<uuid>/ecs-container-metadata.json
 *
 * Before create the file holds what the agent knows (status INITIAL, the official agent's name for it); after
 * start it is rewritten from `docker inspect` with status READY. Every write is a temp file + rename, so a
 * container polling the file never reads half a document. Task cleanup removes the task's directory.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import type { ContainerInspect, CreateContainerRequest } from '../runtime/runtime.js';
import type { TaskSpec } from '../model/task.js';

export const METADATA_FILE_NAME = 'ecs-container-metadata.json';
export const METADATA_MOUNT_POINT = '/opt/ecs/metadata';
export const METADATA_FILE_ENV = 'ECS_CONTAINER_METADATA_FILE';

export type MetadataFileStatus = 'INITIAL' | 'READY';

/** Instance facts every file repeats. */
export interface InstanceFacts {
  cluster: string;
  containerInstanceArn: string;
  availabilityZone?: string | undefined;
  hostPrivateIPv4Address?: string | undefined;
}

type Json = Record<string, unknown>;

/** Go's `omitempty` on every member of the official metadataSerializer: empty strings and arrays go. */
function omitEmpty(o: Json): Json {
  for (const [k, v] of Object.entries(o)) if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) delete o[k];
  return o;
}

/**
 * The file's JSON, member order as the official serializer writes it. Without `info` it is the INITIAL file
 * (nothing Docker knows yet); with it, READY. `imageName` is what berth asked Docker for (Config.Image).
 */
export function metadataDocument(facts: InstanceFacts, task: TaskSpec, containerName: string, ready?: { info: ContainerInspect; imageName: string }): Json {
  const info = ready?.info;
  return omitEmpty({
    Cluster: facts.cluster,
    ContainerInstanceARN: facts.containerInstanceArn,
    TaskARN: task.arn,
    TaskDefinitionFamily: task.family,
    TaskDefinitionRevision: task.version,
    ContainerID: info?.id,
    ContainerName: containerName,
    // Docker's own Name, with its leading slash, as the official agent copies it.
    DockerContainerName: info ? `/${info.name.replace(/^\//, '')}` : undefined,
    ImageID: info?.imageId,
    ImageName: ready?.imageName,
    PortMappings: info?.bindings.map((b) => ({ ContainerPort: b.containerPort, HostPort: b.hostPort, BindIp: b.bindIP, Protocol: b.protocol })),
    // One entry per Docker network; host mode has a "host" network without an address ([""] like the official file).
    Networks: info?.networks?.map((n) => ({ NetworkMode: n.name, IPv4Addresses: [n.ipv4 ?? ''] })),
    MetadataFileStatus: (ready ? 'READY' : 'INITIAL') satisfies MetadataFileStatus,
    AvailabilityZone: facts.availabilityZone,
    HostPrivateIPv4Address: facts.hostPrivateIPv4Address,
  });
}

/** arn:aws:ecs:<region>:<account>:task/[<cluster>/]<id> -> <id>. */
export function taskIdOf(taskArn: string): string {
  const resource = taskArn.split(':').slice(5).join(':');
  const id = resource.slice(resource.lastIndexOf('/') + 1);
  if (id === '' || !/^[A-Za-z0-9_.-]+$/.test(id)) throw new Error(`cannot take a task id from ${taskArn}`);
  return id;
}

/**
 * berth reads no instance metadata, so the host's private address is the first non-internal IPv4 address of
 * an interface that is not a container bridge or veth (undefined when there is none; the member is omitted).
 */
export function hostPrivateIPv4(): string | undefined {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (/^(docker|br-|veth|ecs-|cni|virbr)/.test(name)) continue;
    const a = (addrs ?? []).find((x) => x.family === 'IPv4' && !x.internal);
    if (a) return a.address;
  }
  return undefined;
}

/** The mount and variable a container gets; appended last, like the official agent does. */
export interface MetadataMount {
  bind: string;
  env: Record<string, string>;
}

export function withMetadataMount(req: CreateContainerRequest, mount: MetadataMount): CreateContainerRequest {
  const env = [...((req.body['Env'] as string[] | undefined) ?? []), ...Object.entries(mount.env).map(([k, v]) => `${k}=${v}`)];
  const host = (req.body['HostConfig'] as Record<string, unknown> | undefined) ?? {};
  const binds = [...((host['Binds'] as string[] | undefined) ?? []), mount.bind];
  return { name: req.name, body: { ...req.body, Env: env, HostConfig: { ...host, Binds: binds } } };
}

export interface ContainerMetadataFilesOptions extends InstanceFacts {
  /** ECS_DATADIR: where berth writes. */
  dataDir: string;
  /** ECS_HOST_DATA_DIR: the host directory the write path is relative to ("/" when berth runs on the host). */
  hostDataDir?: string | undefined;
}

export class ContainerMetadataFiles {
  private readonly facts: InstanceFacts;

  constructor(private readonly opts: ContainerMetadataFilesOptions) {
    this.facts = {
      cluster: opts.cluster,
      containerInstanceArn: opts.containerInstanceArn,
      availabilityZone: opts.availabilityZone,
      hostPrivateIPv4Address: opts.hostPrivateIPv4Address,
    };
  }

  taskDir(taskArn: string): string {
    return path.join(path.resolve(this.opts.dataDir), 'metadata', this.opts.cluster, taskIdOf(taskArn));
  }

  containerDir(taskArn: string, containerName: string): string {
    return path.join(this.taskDir(taskArn), containerName);
  }

  /** Before `docker create`: writes the INITIAL file and returns the mount + variable to add to the request. */
  async create(task: TaskSpec, containerName: string): Promise<MetadataMount> {
    const dir = this.containerDir(task.arn, containerName);
    await mkdir(dir, { recursive: true });
    await this.write(dir, metadataDocument(this.facts, task, containerName));
    const inContainer = `${METADATA_MOUNT_POINT}/${randomUUID()}`;
    return {
      bind: `${path.join(this.opts.hostDataDir ?? '/', dir)}:${inContainer}`,
      env: { [METADATA_FILE_ENV]: `${inContainer}/${METADATA_FILE_NAME}` },
    };
  }

  /**
   * After start: the READY file from `docker inspect` of the running container. Only an existing file is
   * rewritten, so an update racing with task cleanup never brings the directory back.
   */
  async update(task: TaskSpec, containerName: string, imageName: string, info: ContainerInspect): Promise<void> {
    const dir = this.containerDir(task.arn, containerName);
    await stat(path.join(dir, METADATA_FILE_NAME));
    if (!info.running) throw new Error(`container ${containerName} is not running`);
    await this.write(dir, metadataDocument(this.facts, task, containerName, { info, imageName }));
  }

  /** Task cleanup: every container's file of the task. */
  async clean(taskArn: string): Promise<void> {
    await rm(this.taskDir(taskArn), { recursive: true, force: true });
  }

  private async write(dir: string, doc: Json): Promise<void> {
    const tmp = path.join(dir, `temp_metadata_file${randomBytes(6).toString('hex')}`);
    try {
      // Tab-indented like the official agent's json.MarshalIndent(metadata, "", "\t").
      await writeFile(tmp, JSON.stringify(doc, null, '\t'), { mode: 0o644 });
      await rename(tmp, path.join(dir, METADATA_FILE_NAME));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}
