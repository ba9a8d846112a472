/**
 * The engine's task model: what the control plane asked for (spec, immutable after the first payload) and
 * what the agent knows and has reported (state). The whole TaskRecord is what the store persists.
 */
import type { ContainerStatus, TaskStatus } from '../../shared/model/status.js';
import type { NetworkBinding } from '../runtime/runtime.js';

export interface PortMappingSpec {
  containerPort: number;
  hostPort: number;
  protocol: 'tcp' | 'udp';
}

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
}

export interface TaskSpec {
  arn: string;
  family: string;
  version: string;
  networkMode: string;
  containers: ContainerSpec[];
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
}

export interface TaskState {
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
  containers: ContainerState[];
}

export interface TaskRecord {
  spec: TaskSpec;
  state: TaskState;
}
