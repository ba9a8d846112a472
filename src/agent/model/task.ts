/**
 * The engine's task model: what the control plane asked for (spec, immutable after the first payload) and
 * what the agent knows and has reported (state). The whole TaskRecord is what the store persists.
 */
import type { ContainerStatus, TaskStatus } from '../../shared/model/status.js';
import type { NetworkBinding } from '../runtime/runtime.js';
import type { TaskEni } from './eni.js';

export interface PortMappingSpec {
  containerPort: number;
  hostPort: number;
  protocol: 'tcp' | 'udp';
  /** containerPortRange [lo, hi] (containerPort 0): contiguous host ports chosen by the agent (§9). */
  containerPortRange?: [number, number];
}

export type DependencyCondition = 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY' | 'CREATE';

export interface DependencySpec {
  containerName: string;
  condition: DependencyCondition;
}

export interface MountPointSpec {
  sourceVolume: string;
  containerPath: string;
  readOnly: boolean;
}

export interface VolumeFromSpec {
  sourceContainer: string;
  readOnly: boolean;
}

/**
 * A task volume (§3.5). `host` with a sourcePath is a bind mount; `host` without one and `docker` with scope
 * task are task-scoped Docker volumes; `docker` with scope shared outlives the task.
 */
export interface VolumeSpec {
  name: string;
  type: 'host' | 'docker';
  sourcePath: string;
  scope: 'task' | 'shared';
  autoprovision: boolean;
  driver: string;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
}

export type HealthStatus = 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY';

/** Per-container private registry credentials (registryAuthentication type asm): a secret name or ARN. */
export interface AsmAuthSpec {
  type: 'asm';
  credentialsParameter: string;
  /** The secret's region; '' = the agent's region. */
  region: string;
}

/** Per-container ECR registry credentials (registryAuthentication type ecr): where to ask for a token, and as whom. */
export interface EcrAuthSpec {
  type: 'ecr';
  /** The registry's account ID; '' = the default registry of the signing identity. */
  registryId: string;
  /** '' = the agent's region. */
  region: string;
  /** An ECR endpoint URL to use instead of the configured one ('' = none). */
  endpointOverride: string;
  /** Sign with the task's execution role (else with the instance credentials). */
  useExecutionRole: boolean;
}

/**
 * A container secret (ACS `secrets`, type ENVIRONMENT_VARIABLE, target CONTAINER): where the value of the
 * environment variable `name` is read, never the value itself (values live in memory only, engine/secrets.ts).
 */
export interface SecretSpec {
  name: string;
  /** asm: a Secrets Manager ARN, optionally with `:json-key:version-stage:version-id`; ssm: a parameter name or ARN. */
  valueFrom: string;
  provider: 'asm' | 'ssm';
  /** '' = the agent's region. */
  region: string;
  /**
   * CONTAINER (or absent: records saved before log driver secrets): an environment variable; LOG_DRIVER: an
   * option of the container's log driver (logConfiguration.secretOptions).
   */
  target?: 'CONTAINER' | 'LOG_DRIVER';
}

/*
 * Members added after the first slice are optional, so records stored by an older berth (and small test
 * fixtures) stay valid; readers default them.
 */
export interface ContainerSpec {
  name: string;
  image: string;
  cpu: number;
  memory: number;
  essential: boolean;
  command: string[] | undefined;
  entryPoint: string[] | undefined;
  environment: Record<string, string>;
  portMappings: PortMappingSpec[];
  /** JSON strings of Docker's Config / HostConfig overlays (dockerConfig.config / .hostConfig). */
  dockerConfig: string | undefined;
  dockerHostConfig: string | undefined;
  stopTimeoutSec: number | undefined;
  /** Bounds the dependency wait of containers that depend on this one (§5.5). */
  startTimeoutSec?: number | undefined;
  /** `name` or `name:alias`: an implicit START dependency. */
  links?: string[];
  mountPoints?: MountPointSpec[];
  /** An implicit CREATE dependency. */
  volumesFrom?: VolumeFromSpec[];
  dependsOn?: DependencySpec[];
  /** Health is tracked only when this is `docker`. */
  healthCheckType?: 'docker' | undefined;
  /** Host paths of KEY=VALUE files (berth has no S3: environmentFiles values are read from the host). */
  environmentFiles?: string[];
  /** Environment variables read from Secrets Manager / Parameter Store at create (they win over `environment`). */
  secrets?: SecretSpec[];
  /** repositoryCredentials (asm: the secret's name, never its value) or ECR (ecr: registry and region). */
  registryAuth?: AsmAuthSpec | EcrAuthSpec;
  /** logsAuthStrategy ExecutionRole: the log driver gets the execution role's credentials endpoint. */
  logsAuthExecutionRole?: boolean;
}

export interface TaskSpec {
  arn: string;
  /** awsvpc: the task's ENI from elasticNetworkInterfaces (exactly one). */
  eni?: TaskEni;
  family: string;
  version: string;
  networkMode: string;
  containers: ContainerSpec[];
  volumes?: VolumeSpec[];
  /** Task-level vCPUs and MiB, when the task definition sets them (host resource accounting). */
  cpu?: number | undefined;
  memory?: number | undefined;
  /** The id of the execution role credentials ACS sent (never the keys, which live in memory only). */
  executionCredentialsId?: string;
}

export interface ContainerState {
  name: string;
  known: ContainerStatus;
  sent: ContainerStatus;
  /** Saved before `docker create`, so a crash in between is recovered by looking the name up. */
  dockerName: string | undefined;
  dockerId: string | undefined;
  /** One per container, shared by the v3/v4 metadata and agent URIs (§8.3). */
  v3EndpointId: string;
  /** Host ports assigned for hostPort 0 mappings, in portMappings order; saved with the name. */
  hostPorts: number[] | undefined;
  exitCode: number | undefined;
  reason: string | undefined;
  bindings: NetworkBinding[];
  /** Epoch ms of the (last) start, from inspect: the base of dependency start timeouts. */
  startedAt?: number | undefined;
  health?: HealthStatus;
  healthOutput?: string | undefined;
  imageDigest?: string | undefined;
}

/** awsvpc: the pause container holding the task's network namespace, and how far its setup got (§5.7). */
export interface TaskNetworkState {
  /** Saved before `docker create`, so a crash in between is recovered by name. */
  pauseName?: string;
  pauseId?: string;
  /** ENI (eth0) and ecs-bridge (ecs-eth0) are configured in the namespace. */
  ready?: boolean;
  /** Torn down after the task stopped. */
  released?: boolean;
  /** ecs-eth0's address: the task's local IP on the ecs bridge. */
  localIp?: string;
}

export interface TaskState {
  network?: TaskNetworkState;
  desired: TaskStatus;
  known: TaskStatus;
  sent: TaskStatus;
  /** Task-level reason: only for agent-forced stops (§5.6). */
  reason: string;
  pullStartedAt: number | undefined;
  pullStoppedAt: number | undefined;
  executionStoppedAt: number | undefined;
  /** When known became STOPPED (epoch ms): cleanup counts from here. */
  stoppedAt: number | undefined;
  /** Volume name -> Docker volume name (task-scoped and shared docker volumes), once provisioned. */
  volumes?: Record<string, string>;
  volumesReady?: boolean;
  containers: ContainerState[];
}

export interface TaskRecord {
  spec: TaskSpec;
  state: TaskState;
}
