/**
 * The Docker side of each transition (§5.4 "Transition actions"). Each function does its I/O off the task's
 * queue and returns an `Apply`: the state change to fold in, which the actor runs on the queue. They never
 * throw for Docker failures (the failure becomes the container's reason); only an aborted signal (agent
 * shutdown) escapes.
 */
import { readFile } from 'node:fs/promises';
import { BerthError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { sleep } from '../../shared/clock.js';
import type { AgentConfig } from '../config/config.js';
import type { PortAllocator } from '../network/port-allocator.js';
import { isDynamic, portCount, portPairs } from '../model/port-mapping.js';
import type { ContainerRuntime, CreateContainerRequest, NetworkBinding } from '../runtime/runtime.js';
import { buildCreateRequest } from './create-request.js';
import { dockerContainerName } from '../model/labels.js';
import type { EnsureOptions, ImageManager } from './images.js';
import type { AsmAuthSpec, ContainerSpec, ContainerState, EcrAuthSpec, TaskNetworkState, TaskRecord } from '../model/task.js';
import type { TaskNetworkHook } from '../network/awsvpc/task-network.js';
import { applyInspect, markVanished, recordReason } from './observe.js';
import { provisionVolumes } from './volumes.js';
import { withMetadataMount, type ContainerMetadataFiles } from './metadata-file.js';
import type { IAMRoleCredentials } from '../../shared/protocol/acs.js';
import type { RegistryAuth } from '../runtime/runtime.js';
import { asmRegistryAuth, ecrRegistryAuth, ecrTokenRequest } from './registry-auth.js';
import { containerSecretValues, taskSecrets, type ContainerSecrets } from './secrets.js';
import type { TaskCgroups } from '../cgroups/task-cgroups.js';
import { realClock } from '../../shared/clock.js';

export type Apply = () => void;

export interface TransitionContext {
  rec: TaskRecord;
  runtime: ContainerRuntime;
  images: ImageManager;
  ports: PortAllocator;
  config: AgentConfig;
  signal: AbortSignal;
  log: Logger;
  /** Runs `fn` on the task's queue (the single writer) and waits for it. */
  onChain: (fn: () => Promise<void> | void) => Promise<void>;
  /** Persists the record (on the queue). */
  save: () => void;
  /** Persists the record durably, batched with other tasks' writes of the same moment; resolves once committed. */
  saveDurably: () => Promise<void>;
  /** awsvpc networking; undefined when the agent cannot do awsvpc (the task then stops). */
  network?: TaskNetworkHook | undefined;
  /** ECS_ENABLE_CONTAINER_METADATA: the per-container metadata files; undefined when off. */
  metadataFiles?: ContainerMetadataFiles | undefined;
  /** The task's execution role credentials as ACS delivered them (memory only); for registry credentials. */
  executionCredentials?: (() => IAMRoleCredentials | undefined) | undefined;
  /** Task cpu/memory limits (ECS_ENABLE_TASK_CPU_MEM_LIMIT); undefined when off. */
  cgroups?: TaskCgroups | undefined;
}

const STOP_RETRY_MS = 1000;

function failed(state: ContainerState, err: unknown): Apply {
  return () => {
    recordReason(state, err);
    state.known = 'STOPPED';
  };
}

function observed(state: ContainerState, spec: ContainerSpec, info: Awaited<ReturnType<ContainerRuntime['inspectContainer']>>): Apply {
  return () => {
    if (info) applyInspect(state, info, { trackHealth: spec.healthCheckType === 'docker' });
    else markVanished(state);
  };
}

/** §5.6: the task was stopped after this pull was started but before Docker was asked to pull. */
function stoppedBeforePull(ctx: TransitionContext, state: ContainerState): Apply {
  return failed(state, new BerthError('TaskStoppedBeforePullBeginError', `Task stopped before image pull could begin for task: ${ctx.rec.spec.arn}`));
}

/** Per-container registry credentials (asm); a failure stops the container and the task, with no pull (§5.3, §5.6). */
async function containerRegistryAuth(ctx: TransitionContext, spec: ContainerSpec, auth: AsmAuthSpec, state: ContainerState): Promise<RegistryAuth | 'stopped' | Apply> {
  try {
    return await asmRegistryAuth({
      image: spec.image,
      auth: { ...auth, region: auth.region || ctx.config.region },
      hasExecutionRole: ctx.rec.spec.executionCredentialsId !== undefined,
      credentials: () => ctx.executionCredentials?.(),
      endpoint: ctx.config.secretsManagerEndpoint,
      signal: ctx.signal,
      stopped: () => ctx.rec.state.desired === 'STOPPED',
    });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.warn({ err, container: spec.name }, 'registry credentials unavailable; not pulling');
    const reason = err instanceof BerthError ? err.toReason(1024) : String(err);
    return () => {
      failed(state, err)();
      ctx.rec.state.desired = 'STOPPED';
      if (ctx.rec.state.reason === '') ctx.rec.state.reason = reason;
    };
  }
}

/**
 * ECR credentials (registryAuthentication type ecr), asked for only when the image manager really pulls. A
 * failure is the pull's error (CannotPullECRContainerError, §5.6); a token the registry refused is dropped.
 */
function ecrPullAuth(ctx: TransitionContext, spec: ContainerSpec, auth: EcrAuthSpec): NonNullable<EnsureOptions['lazyAuth']> {
  const region = auth.region || ctx.config.region;
  const execId = auth.useExecutionRole ? (ctx.rec.spec.executionCredentialsId ?? '') : '';
  return {
    key: ['ecr', region, auth.registryId, auth.endpointOverride, auth.useExecutionRole ? `role:${execId}` : 'instance'].join('\0'),
    resolve: async () => {
      const got = await ecrRegistryAuth({
        image: spec.image,
        auth: { ...auth, region },
        hasExecutionRole: ctx.rec.spec.executionCredentialsId !== undefined,
        credentials: () => ctx.executionCredentials?.(),
        tokens: ctx.images.ecrTokens,
        signal: ctx.signal,
        stopped: () => ctx.rec.state.desired === 'STOPPED',
      });
      if (got === 'stopped' || ctx.rec.state.desired === 'STOPPED') {
        throw new BerthError('TaskStoppedBeforePullBeginError', `Task stopped before image pull could begin for task: ${ctx.rec.spec.arn}`);
      }
      return got;
    },
  };
}

export async function pull(ctx: TransitionContext, spec: ContainerSpec, state: ContainerState): Promise<Apply> {
  let auth: RegistryAuth | undefined;
  if (spec.registryAuth?.type === 'asm') {
    const got = await containerRegistryAuth(ctx, spec, spec.registryAuth, state);
    if (typeof got === 'function') return got;
    if (got !== 'stopped') auth = got;
  }
  if (ctx.rec.state.desired === 'STOPPED') return stoppedBeforePull(ctx, state);
  const ecr = spec.registryAuth?.type === 'ecr' ? spec.registryAuth : undefined;
  const r = await ctx.images.ensure(spec.image, ctx.signal, ecr ? { lazyAuth: ecrPullAuth(ctx, spec, ecr) } : { auth });
  if (ecr && r.error !== undefined && r.pullStartedAt !== undefined) {
    // The registry refused the pull: the next one asks ECR for a fresh token.
    const creds = ecr.useExecutionRole ? ctx.executionCredentials?.() : undefined;
    ctx.images.ecrTokens.forget(ecrTokenRequest({ ...ecr, region: ecr.region || ctx.config.region }, creds));
  }
  return () => {
    // Pull timestamps are reported only when a pull really happened (as the transcripts show).
    if (r.pullStartedAt !== undefined) ctx.rec.state.pullStartedAt ??= r.pullStartedAt;
    if (r.pullStoppedAt !== undefined) ctx.rec.state.pullStoppedAt = Math.max(ctx.rec.state.pullStoppedAt ?? 0, r.pullStoppedAt);
    if (r.error !== undefined) return failed(state, r.error)();
    state.imageDigest = r.digest;
    if (state.known === 'NONE') state.known = 'PULLED';
  };
}

/** KEY=VALUE lines; blank lines and # comments are skipped (the official env file format). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const i = line.indexOf('=');
    if (i <= 0) continue;
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

async function fileEnvironment(spec: ContainerSpec): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const file of spec.environmentFiles ?? []) {
    try {
      Object.assign(env, parseEnvFile(await readFile(file, 'utf8')));
    } catch (err) {
      throw new BerthError('ResourceInitializationError', `failed to read environment file ${file}: ${(err as Error).message}`);
    }
  }
  return env;
}

/**
 * The container's secrets as environment variables (engine/secrets.ts), read once per task with the execution
 * role. A failure stops the task with the resource's reason and no container is created (§5.3).
 */
async function containerSecrets(ctx: TransitionContext, spec: ContainerSpec): Promise<ContainerSecrets | Apply> {
  try {
    const values = await taskSecrets({
      rec: ctx.rec,
      credentials: () => ctx.executionCredentials?.(),
      stopped: () => ctx.rec.state.desired === 'STOPPED',
      region: ctx.config.region,
      ssmEndpoint: ctx.config.ssmEndpoint,
      secretsManagerEndpoint: ctx.config.secretsManagerEndpoint,
      signal: ctx.signal,
    });
    if (values === 'stopped') return () => undefined; // the plan marks the container STOPPED, never created
    return containerSecretValues(spec, values, ctx.config.region);
  } catch (err) {
    return stopBeforeCreate(ctx, err, 'container secrets unavailable', { container: spec.name });
  }
}

/**
 * Something the task needs before a container can be created could not be had: the task stops with the error's
 * reason (an official one when berth knows it, else ResourceInitializationError) and no container is created.
 */
function stopBeforeCreate(ctx: TransitionContext, err: unknown, what: string, fields: Record<string, unknown> = {}): Apply {
  if (ctx.signal.aborted) throw err;
  ctx.log.warn({ err, ...fields }, `${what}; not creating the container`);
  const reason = err instanceof BerthError ? err.toReason(1024) : `ResourceInitializationError: ${(err as Error).message}`;
  return () => {
    ctx.rec.state.desired = 'STOPPED';
    if (ctx.rec.state.reason === '') ctx.rec.state.reason = reason;
  };
}

/**
 * The task's cgroup, made (or reused) before its first container is created; a failure stops the task with
 * the resource's reason and no container is created (§5.3, §5.5).
 */
async function taskCgroup(ctx: TransitionContext, cgroups: TaskCgroups): Promise<string | Apply> {
  try {
    return await cgroups.ensure(ctx.rec.spec);
  } catch (err) {
    return stopBeforeCreate(ctx, err, 'task cgroup could not be created');
  }
}

export async function create(ctx: TransitionContext, spec: ContainerSpec, state: ContainerState): Promise<Apply> {
  try {
    if (state.dockerName !== undefined) {
      const existing = await ctx.runtime.inspectContainer(state.dockerName, ctx.signal);
      if (existing) return observed(state, spec, existing);
    }
    // Before a name or host ports are assigned: a task whose secrets cannot be read holds nothing.
    const secrets = spec.secrets?.length ? await containerSecrets(ctx, spec) : undefined;
    if (typeof secrets === 'function') return secrets;
    const cgroupParent = ctx.cgroups ? await taskCgroup(ctx, ctx.cgroups) : undefined;
    if (typeof cgroupParent === 'function') return cgroupParent;
    if (state.dockerName === undefined) {
      // The name and host ports are saved before `docker create`: a crash in between is recovered by name.
      await ctx.onChain(async () => {
        const hostPorts: number[] = [];
        for (const p of spec.portMappings) hostPorts.push(isDynamic(p) ? await ctx.ports.allocateRange(portCount(p), p.protocol) : p.hostPort);
        state.hostPorts = hostPorts;
        state.dockerName = dockerContainerName(ctx.rec.spec, spec.name);
      });
      await ctx.saveDurably();
    }
    const built = buildCreateRequest({
      task: ctx.rec.spec,
      spec,
      state,
      cluster: ctx.config.cluster,
      dockerNameOf: (name) => ctx.rec.state.containers.find((c) => c.name === name)?.dockerName,
      volumes: ctx.rec.state.volumes ?? {},
      fileEnvironment: await fileEnvironment(spec),
      ...(secrets ? { secretEnvironment: secrets.env, secretLogOptions: secrets.logOptions } : {}),
      disablePrivileged: ctx.config.disablePrivileged,
      pauseContainerId: ctx.rec.state.network?.pauseId,
      metadataBaseUrl: ctx.config.metadataBaseUrl,
      cgroupParent,
      awslogs: {
        executionCredentialsUri: ctx.rec.spec.executionCredentialsId !== undefined && ctx.executionCredentials?.() ? `/v2/credentials/${ctx.rec.spec.executionCredentialsId}` : undefined,
        endpoint: ctx.config.logsEndpoint,
      },
    });
    const req = ctx.metadataFiles ? await withMetadataFile(ctx, ctx.metadataFiles, built, spec) : built;
    const id = await ctx.runtime.createContainer(req, { timeoutMs: ctx.config.containerCreateTimeoutMs, signal: ctx.signal });
    ctx.images.use(spec.image, id);
    return () => {
      state.dockerId = id;
      if (state.known === 'PULLED') state.known = 'CREATED';
    };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.warn({ err, container: spec.name }, 'container create failed');
    return failed(state, err);
  }
}

export async function start(ctx: TransitionContext, spec: ContainerSpec, state: ContainerState): Promise<Apply> {
  const id = state.dockerId!;
  try {
    await ctx.runtime.startContainer(id, { timeoutMs: ctx.config.containerStartTimeoutMs, signal: ctx.signal });
    if (ctx.metadataFiles) void readyMetadataFile(ctx, ctx.metadataFiles, spec, id);
    const known = bindingsWithoutInspect(ctx, spec, state);
    if (known !== undefined) {
      // Started: RUNNING now. An immediate exit arrives as a `die` event and wins (statuses only move forward).
      const startedAt = realClock.now();
      return () => {
        state.startedAt ??= startedAt;
        if (state.known === 'CREATED') {
          state.known = 'RUNNING';
          state.bindings = known;
        }
      };
    }
    return observed(state, spec, await ctx.runtime.inspectContainer(id, ctx.signal));
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.warn({ err, container: spec.name }, 'container start failed');
    const info = await ctx.runtime.inspectContainer(id, ctx.signal).catch(() => undefined);
    if (info?.running) return observed(state, spec, info);
    return failed(state, err);
  }
}

/** The INITIAL file, its mount and ECS_CONTAINER_METADATA_FILE; like the official agent, a failure only warns. */
async function withMetadataFile(ctx: TransitionContext, files: ContainerMetadataFiles, req: CreateContainerRequest, spec: ContainerSpec): Promise<CreateContainerRequest> {
  try {
    return withMetadataMount(req, await files.create(ctx.rec.spec, spec.name));
  } catch (err) {
    ctx.log.warn({ err, container: spec.name }, 'container metadata file not created');
    return req;
  }
}

/** Off the start path, like the official agent's goroutine: a failure only leaves the file INITIAL. */
async function readyMetadataFile(ctx: TransitionContext, files: ContainerMetadataFiles, spec: ContainerSpec, id: string): Promise<void> {
  try {
    const info = await ctx.runtime.inspectContainer(id, ctx.signal);
    if (!info) throw new Error('container vanished after start');
    await files.update(ctx.rec.spec, spec.name, spec.image, info);
  } catch (err) {
    if (!ctx.signal.aborted) ctx.log.warn({ err, container: spec.name }, 'container metadata file update failed');
  }
}

/**
 * The bindings Docker reports after a start, without asking it: in bridge mode berth chose every host port
 * itself, and with ECS_EXCLUDE_IPV6_PORTBINDING only the IPv4 bindings are reported. An inspect under a busy
 * Docker takes hundreds of ms, so this keeps RUNNING prompt. undefined: ask Docker (other network modes).
 */
function bindingsWithoutInspect(ctx: TransitionContext, spec: ContainerSpec, state: ContainerState): NetworkBinding[] | undefined {
  if (ctx.rec.spec.networkMode !== 'bridge' || !ctx.config.excludeIpv6PortBinding) return undefined;
  try {
    const mode = (JSON.parse(spec.dockerHostConfig ?? '{}') as { NetworkMode?: unknown }).NetworkMode;
    if (mode !== undefined && mode !== 'bridge' && mode !== 'default') return undefined;
  } catch {
    return undefined;
  }
  const out: NetworkBinding[] = [];
  for (const [i, p] of spec.portMappings.entries()) {
    const hostPort = isDynamic(p) ? state.hostPorts?.[i] : p.hostPort;
    if (hostPort === undefined) return undefined;
    for (const pair of portPairs(p, hostPort)) out.push({ bindIP: '0.0.0.0', containerPort: pair.containerPort, hostPort: pair.hostPort, protocol: p.protocol });
  }
  return out;
}

/** docker stop with the container's stopTimeout (or ECS_CONTAINER_STOP_TIMEOUT): STOPSIGNAL, then SIGKILL. */
export async function stop(ctx: TransitionContext, spec: ContainerSpec, state: ContainerState): Promise<Apply> {
  const id = state.dockerId!;
  const grace = spec.stopTimeoutSec ?? Math.ceil(ctx.config.containerStopTimeoutMs / 1000);
  try {
    await ctx.runtime.stopContainer(id, { graceSeconds: grace, signal: ctx.signal });
    const info = await ctx.runtime.inspectContainer(id, ctx.signal);
    if (info?.running) await sleep(STOP_RETRY_MS, ctx.signal); // restarted under us; the plan stops it again
    return observed(state, spec, info);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.warn({ err, container: spec.name }, 'container stop failed; retrying');
    await sleep(STOP_RETRY_MS, ctx.signal); // docker stop is retriable: the plan asks again
    return () => undefined;
  }
}

/** awsvpc: the pause container and its namespace; progress is saved on the queue as it happens. */
function setupNetwork(ctx: TransitionContext): Promise<TaskNetworkState> {
  if (!ctx.network) throw new BerthError('ResourceInitializationError', 'awsvpc network mode is not enabled on this container instance (ECS_ENABLE_TASK_ENI)');
  return ctx.network.setup(ctx.rec, {
    signal: ctx.signal,
    save: (update) =>
      ctx.onChain(() => {
        update((ctx.rec.state.network ??= {}));
        ctx.save();
      }),
  });
}

/** Task-scoped and shared Docker volumes; a failure stops the task with the resource's reason (§5.3). */
export async function provision(ctx: TransitionContext): Promise<Apply> {
  try {
    const names = await provisionVolumes({ rec: ctx.rec, runtime: ctx.runtime, signal: ctx.signal, onChain: ctx.onChain, save: ctx.save, matchFullConfig: ctx.config.sharedVolumeMatchFullConfig });
    const network = ctx.rec.spec.networkMode === 'awsvpc' && ctx.rec.state.network?.ready !== true ? await setupNetwork(ctx) : undefined;
    return () => {
      ctx.rec.state.volumes = { ...ctx.rec.state.volumes, ...names };
      ctx.rec.state.volumesReady = true;
      if (network) ctx.rec.state.network = { ...ctx.rec.state.network, ...network };
    };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.warn({ err }, 'task volumes could not be created');
    const reason = err instanceof BerthError ? err.toReason(1024) : `ResourceInitializationError: ${(err as Error).message}`;
    return () => {
      ctx.rec.state.desired = 'STOPPED';
      if (ctx.rec.state.reason === '') ctx.rec.state.reason = reason;
    };
  }
}
