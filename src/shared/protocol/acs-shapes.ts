/**
 * ACS wire shapes (../shared/models/acs-api-2.json, spec §3). Member names are exactly the model's;
 * everything is optional on the wire, so consumers validate what they rely on.
 */
export interface IAMRoleCredentials {
  credentialsId?: string;
  roleArn?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** RFC 3339, passed to containers verbatim. */
  expiration?: string;
}

export interface PortMapping {
  containerPort?: number;
  hostPort?: number;
  containerPortRange?: string;
  protocol?: 'tcp' | 'udp';
}

export interface MountPoint {
  sourceVolume?: string;
  containerPath?: string;
  readOnly?: boolean;
}

export interface VolumeFrom {
  sourceContainer?: string;
  readOnly?: boolean;
}

export interface ContainerDependency {
  containerName?: string;
  condition?: 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY';
}

export interface DockerConfig {
  version?: string;
  /** Docker Engine API Config object, JSON-encoded. */
  config?: string;
  /** Docker Engine API HostConfig object, JSON-encoded. */
  hostConfig?: string;
}

export interface RegistryAuthenticationData {
  type?: 'ecr' | 'asm';
  ecrAuthData?: { registryId?: string; region?: string; endpointOverride?: string; useExecutionRole?: boolean };
  asmAuthData?: { credentialsParameter?: string; region?: string };
}

/**
 * A container secret (acs-api-2.json Secret). berth handles type ENVIRONMENT_VARIABLE with target CONTAINER:
 * the value of `valueFrom` (a Secrets Manager ARN or an SSM parameter name / ARN, read in `region` with the
 * execution role) becomes the environment variable `name`.
 */
export interface AcsSecret {
  name?: string;
  valueFrom?: string;
  containerPath?: string;
  type?: 'ENVIRONMENT_VARIABLE' | 'MOUNT_POINT' | 'BOOTSTRAP';
  region?: string;
  provider?: 'ssm' | 'asm';
  target?: 'CONTAINER' | 'LOG_DRIVER';
}

export interface AcsContainer {
  name?: string;
  image?: string;
  cpu?: number;
  memory?: number;
  essential?: boolean;
  command?: string[];
  entryPoint?: string[];
  environment?: Record<string, string>;
  overrides?: string;
  /** `value` is an S3 ARN in ECS; berth's agent reads it as a host path (it has no S3). */
  environmentFiles?: { value?: string; type?: 's3' }[];
  portMappings?: PortMapping[];
  links?: string[];
  mountPoints?: MountPoint[];
  volumesFrom?: VolumeFrom[];
  dependsOn?: ContainerDependency[];
  dockerConfig?: DockerConfig;
  healthCheckType?: 'docker';
  /** Private registry credentials: `asm` names a Secrets Manager secret read with the execution role (§3.4). */
  registryAuthentication?: RegistryAuthenticationData;
  /** `ExecutionRole`: the awslogs driver signs with the task's execution role (awslogs-credentials-endpoint, §8.3). */
  logsAuthStrategy?: 'ExecutionRole';
  secrets?: AcsSecret[];
  startTimeout?: number;
  stopTimeout?: number;
  containerArn?: string;
}

export interface AcsVolume {
  name?: string;
  type?: string;
  host?: { sourcePath?: string };
  dockerVolumeConfiguration?: {
    scope?: 'task' | 'shared';
    autoprovision?: boolean;
    driver?: string;
    driverOpts?: Record<string, string>;
    labels?: Record<string, string>;
  };
}

export interface ElasticNetworkInterface {
  name?: string;
  ec2Id?: string;
  macAddress?: string;
  attachmentArn?: string;
  index?: number;
  interfaceAssociationProtocol?: 'default' | 'tunnel' | 'veth' | 'vlan';
  ipv4Addresses?: { privateAddress?: string; primary?: boolean }[];
  ipv6Addresses?: { address?: string; primary?: boolean }[];
  subnetGatewayIpv4Address?: string;
  domainNameServers?: string[];
  domainName?: string[];
  privateDnsName?: string;
}

export interface AcsTask {
  arn?: string;
  taskClusterArn?: string;
  family?: string;
  version?: string;
  desiredStatus?: string;
  containers?: AcsContainer[];
  volumes?: AcsVolume[];
  networkMode?: string;
  elasticNetworkInterfaces?: ElasticNetworkInterface[];
  roleCredentials?: IAMRoleCredentials;
  executionRoleCredentials?: IAMRoleCredentials;
  cpu?: number;
  memory?: number;
  pidMode?: string;
  ipcMode?: string;
  launchType?: string;
  serviceName?: string;
  taskDefinitionAccountId?: string;
  zone?: string;
  overrides?: string;
  group?: string;
  associations?: unknown[];
  attachments?: unknown[];
}

export interface TaskIdentifier {
  taskArn?: string;
  taskClusterArn?: string;
  desiredStatus?: string;
}
