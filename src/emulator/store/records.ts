/**
 * What the emulator persists. Timestamps are epoch milliseconds here; the API views turn them into epoch
 * seconds with a millisecond fraction. Member names follow ecs-service-2.json so views stay thin.
 */
export interface Attribute {
  name: string;
  value?: string;
}

export interface Resource {
  name: string;
  type: string;
  integerValue?: number;
  longValue?: number;
  doubleValue?: number;
  stringSetValue?: string[];
}

export interface Tag {
  key?: string;
  value?: string;
}

export interface ClusterRecord {
  name: string;
  arn: string;
  createdAt: number;
  tags: Tag[];
}

/** The task definition as registered (model member names), plus what ECS adds. */
export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  registeredAt: number;
  /** RegisterTaskDefinition input without `tags`, stored verbatim and echoed. */
  body: Record<string, unknown>;
}

export interface ContainerInstanceRecord {
  arn: string;
  cluster: string;
  ec2InstanceId: string;
  status: 'ACTIVE' | 'DRAINING';
  attributes: Attribute[];
  registeredResources: Resource[];
  versionInfo: Record<string, string>;
  registeredAt: number;
  tags: Tag[];
}

export interface NetworkBinding {
  bindIP?: string;
  containerPort?: number;
  hostPort?: number;
  protocol?: string;
  containerPortRange?: string;
  hostPortRange?: string;
}

export type TaskLastStatus =
  | 'PROVISIONING'
  | 'PENDING'
  | 'ACTIVATING'
  | 'RUNNING'
  | 'DEACTIVATING'
  | 'STOPPING'
  | 'DEPROVISIONING'
  | 'STOPPED';

export type ContainerLastStatus = 'PENDING' | 'RUNNING' | 'STOPPED';

export interface ContainerRecord {
  containerArn: string;
  name: string;
  image: string;
  lastStatus: ContainerLastStatus;
  essential: boolean;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  exitCode?: number;
  reason?: string;
  runtimeId?: string;
  imageDigest?: string;
  networkBindings?: NetworkBinding[];
}

export interface ContainerOverride {
  name?: string;
  command?: string[];
  environment?: { name?: string; value?: string }[];
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
}

/** What a task holds on its instance from placement until it is STOPPED. */
export interface ResourceDemand {
  cpu: number;
  memory: number;
  tcpPorts: number[];
  udpPorts: number[];
}

export interface TaskRecord {
  arn: string;
  cluster: string;
  taskDefinitionArn: string;
  containerInstanceArn: string;
  lastStatus: TaskLastStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  containers: ContainerRecord[];
  containerOverrides: ContainerOverride[];
  reserved: ResourceDemand;
  /** Task-level cpu units / MiB as the task definition says them (strings, like ECS). */
  cpu?: string;
  memory?: string;
  startedBy?: string;
  group?: string;
  /** Bumped on every change, like ECS's Task.version. */
  version: number;
  createdAt: number;
  startedAt?: number;
  connectivityAt?: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  executionStoppedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stoppedReason?: string;
  stopCode?: string;
}

export interface PendingMessage {
  messageId: string;
  instanceArn: string;
  seqNum: number;
  body: string;
}
