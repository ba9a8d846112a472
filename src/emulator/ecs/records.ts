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

export interface KeyValue {
  name?: string;
  value?: string;
}

export interface ClusterRecord {
  name: string;
  arn: string;
  createdAt: number;
  tags: Tag[];
  /** Absent in records written before DeleteCluster existed: ACTIVE. */
  status?: 'ACTIVE' | 'INACTIVE';
  settings?: KeyValue[];
  configuration?: Record<string, unknown>;
  /** Capacity providers associated with the cluster (PutClusterCapacityProviders), by name. */
  capacityProviders?: string[];
  defaultCapacityProviderStrategy?: CapacityProviderStrategyItem[];
}

export interface CapacityProviderStrategyItem {
  capacityProvider: string;
  weight: number;
  base: number;
}

/** A custom (Auto Scaling group) capacity provider; FARGATE and FARGATE_SPOT are built in, never stored. */
export interface CapacityProviderRecord {
  name: string;
  arn: string;
  status: 'ACTIVE' | 'INACTIVE';
  autoScalingGroupProvider: Record<string, unknown>;
  updateStatus?: string;
  tags: Tag[];
}

/** The task definition as registered (model member names), plus what ECS adds. */
export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  registeredAt: number;
  deregisteredAt?: number;
  /** RegisterTaskDefinition input without `tags`, stored verbatim and echoed. */
  body: Record<string, unknown>;
  tags?: Tag[];
}

export interface ContainerInstanceRecord {
  arn: string;
  cluster: string;
  ec2InstanceId: string;
  /** INACTIVE after DeregisterContainerInstance. */
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
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

/** A task attachment as DescribeTasks shows it (awsvpc: the ENI; details subnetId, networkInterfaceId, ...). */
export interface TaskAttachmentRecord {
  id: string;
  type: string;
  /** ATTACHING -> ATTACHED (the agent saw the device) -> DELETED (released after the task stopped). */
  status: string;
  details: { name: string; value: string }[];
}

export interface TaskRecord {
  arn: string;
  /** awsvpc: the task's ENI attachment(s) from the simulated VPC. */
  attachments?: TaskAttachmentRecord[];
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
  /** RunTask's clientToken (idempotency): a retry with it gets these tasks back instead of new ones. */
  clientToken?: string;
  group?: string;
  tags?: Tag[];
  /** Set for tasks a service started, with the deployment that started them. */
  serviceName?: string;
  deploymentId?: string;
  /** Task-level overrides (RunTask overrides.cpu / overrides.memory). */
  overrideCpu?: string;
  overrideMemory?: string;
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
  /** Scale-in protection (UpdateTaskProtection) is in force until then (epoch ms); absent = unprotected. */
  protectionExpiresAt?: number;
}

export interface PendingMessage {
  messageId: string;
  instanceArn: string;
  seqNum: number;
  body: string;
}

export interface DeploymentRecord {
  id: string;
  /** PRIMARY: the deployment being rolled out; ACTIVE: an older one still holding tasks. */
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  desiredCount: number;
  failedTasks: number;
  createdAt: number;
  updatedAt: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
}

export interface ServiceEventRecord {
  id: string;
  createdAt: number;
  message: string;
}

export interface PlacementConstraintRecord {
  type?: string;
  expression?: string;
}

export interface PlacementStrategyRecord {
  type?: string;
  field?: string;
}

export interface ServiceRecord {
  arn: string;
  name: string;
  cluster: string;
  /** DRAINING after DeleteService until its tasks are gone, then INACTIVE. */
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  taskDefinition: string;
  desiredCount: number;
  schedulingStrategy: 'REPLICA' | 'DAEMON';
  minimumHealthyPercent: number;
  maximumPercent: number;
  circuitBreaker: { enable: boolean; rollback: boolean };
  healthCheckGracePeriodSeconds?: number;
  placementConstraints: PlacementConstraintRecord[];
  placementStrategy: PlacementStrategyRecord[];
  deployments: DeploymentRecord[];
  /** Newest first, at most 100, as ECS shows them. */
  events: ServiceEventRecord[];
  /** The last steady state was announced (reset by any change), so the event is written once per steady period. */
  steady: boolean;
  /** The task definition of the last rollout that COMPLETED (where a circuit-breaker rollback goes). */
  stableTaskDefinition?: string;
  createdAt: number;
  tags: Tag[];
  propagateTags: 'TASK_DEFINITION' | 'SERVICE' | 'NONE';
  enableECSManagedTags: boolean;
}
