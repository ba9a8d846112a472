/**
 * Agent configuration: built-in defaults < /etc/ecs/ecs.config < process environment (spec §1.2-§1.3).
 * This is the only module that looks at the environment, and it receives it as a parameter.
 * The result is validated and frozen; credentials print as [redacted].
 */
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { BerthError } from '../../shared/errors.js';
import { parseEcsConfigFile, parseGoBool, parseGoDuration, parsePortRange } from './parse.js';
import { localEndpointSettings, type LocalEndpointSettings } from './endpoints.js';

export type ImagePullBehavior = 'default' | 'always' | 'once' | 'prefer-cached';

/** A value that prints as [redacted] however it is printed: JSON, String(), util.inspect (so pino too). */
abstract class Redacted {
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}

/** Static instance credentials taken from AWS_ACCESS_KEY_ID & co; never printed. */
export class StaticCredentials extends Redacted {
  constructor(
    readonly accessKeyId: string,
    readonly secretAccessKey: string,
    readonly sessionToken?: string,
  ) {
    super();
  }
}

/** A config value that must never be printed or logged (ECS_ENGINE_AUTH_DATA). */
export class SecretString extends Redacted {
  constructor(readonly value: string) {
    super();
  }
}

export interface AgentConfig extends LocalEndpointSettings {
  readonly cluster: string;
  /** False when ECS_CLUSTER was not set: only then may registration create the "default" cluster. */
  readonly clusterConfigured: boolean;
  readonly backendHost: string | undefined;
  readonly region: string;
  readonly dataDir: string;
  readonly checkpoint: boolean;
  readonly reservedPorts: readonly number[];
  readonly reservedPortsUdp: readonly number[];
  readonly reservedMemoryMiB: number;
  readonly taskCleanupWaitMs: number;
  /** ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER: cleanup waits taskCleanupWaitMs + U(0, jitter) (§5.8); 0 = none. */
  readonly taskCleanupWaitJitterMs: number;
  readonly containerStopTimeoutMs: number;
  readonly containerStartTimeoutMs: number;
  readonly containerCreateTimeoutMs: number;
  readonly imagePullTimeoutMs: number;
  readonly imagePullBehavior: ImagePullBehavior;
  readonly dynamicHostPortRange: readonly [number, number];
  readonly availableLoggingDrivers: readonly string[];
  readonly instanceAttributes: Readonly<Record<string, string>>;
  readonly containerInstanceTags: Readonly<Record<string, string>>;
  readonly disablePrivileged: boolean;
  readonly external: boolean;
  readonly logLevel: string;
  readonly dockerHost: string;
  /** BERTH_CONTAINERD_SOCKET: a path, 'auto' (look for it at each subscription) or undefined (off). */
  readonly containerdSocket: string | undefined;
  readonly excludeIpv6PortBinding: boolean;
  readonly credentials: StaticCredentials | undefined;
  /** ECS_ALTERNATE_CREDENTIAL_PROFILE: the profile read from the rotating shared credentials file. */
  readonly credentialProfile: string;
  /** berth-only (BERTH_ROTATING_CREDENTIALS_FILE): undefined = /rotatingcreds/credentials, else /root/.aws/credentials. */
  readonly rotatingCredentialsFile: string | undefined;
  /** berth-only (BERTH_CREDENTIALS_REFRESH_INTERVAL): how often that file is re-read; 1 minute like the official agent. */
  readonly credentialsRefreshMs: number;
  /** berth-only (BERTH_ACS_INACTIVITY_TIMEOUT): base of the ACS inactivity timer, 60s like the official agent. */
  readonly acsInactivityTimeoutMs: number;
  /** berth-only (BERTH_ACS_GIVE_UP): exit 1 after this long without an ACS connection (0 = never); default 1h. */
  readonly acsGiveUpMs: number;
  /** berth-only (BERTH_RELIST_INTERVAL): how often every task's containers are inspected again beside the event stream. */
  readonly relistIntervalMs: number;
  /** berth-only (BERTH_HEALTH_INTERVAL): how often the health file in ECS_DATADIR is rewritten. */
  readonly healthIntervalMs: number;
  /** berth-only (BERTH_HEALTHCHECK_ACS_LIMIT): `--healthcheck` fails after this long without ACS. */
  readonly healthcheckAcsLimitMs: number;
  /** ECS_DISABLE_METRICS: no task metrics over TCS. */
  readonly disableMetrics: boolean;
  /** ECS_DISABLE_DOCKER_HEALTH_CHECK: no container health over TCS. TCS stays off when both are disabled. */
  readonly disableDockerHealthCheck: boolean;
  /** ECS_POLL_METRICS: sample stats every pollingMetricsWaitMs instead of once per publish. */
  readonly pollMetrics: boolean;
  /** ECS_POLLING_METRICS_WAIT_DURATION, clamped to [5s, 20s] like the official agent. */
  readonly pollingMetricsWaitMs: number;
  /** berth-only (BERTH_TCS_PUBLISH_INTERVAL): TCS publish period, 20s like the official agent. */
  readonly tcsPublishIntervalMs: number;
  /** ECS_ENABLE_PROMETHEUS_METRICS: serve the agent's own metrics on prometheusPort. */
  readonly enablePrometheusMetrics: boolean;
  /** berth-only (BERTH_PROMETHEUS_PORT): 51680 like the official agent; 0 picks a free port. */
  readonly prometheusPort: number;
  /** ECS_ENABLE_TASK_IAM_ROLE / _NETWORK_HOST: serve task role credentials (bridge / host network mode). */
  readonly taskIamRole: boolean;
  readonly taskIamRoleNetworkHost: boolean;
  /** ECS_ENABLE_CONTAINER_METADATA: write a metadata file per container and point ECS_CONTAINER_METADATA_FILE at it. */
  readonly containerMetadata: boolean;
  /**
   * ECS_HOST_DATA_DIR: the host directory ECS_DATADIR's paths are relative to, for the metadata files' bind
   * mounts. undefined = "/": berth runs on the host, so ECS_DATADIR is already a host path (engine/metadata-file.ts).
   */
  readonly hostDataDir: string | undefined;
  /** berth-only (BERTH_INTROSPECTION_PORT / BERTH_METADATA_PORT): 51678 / 51679; 0 picks a free port (tests). */
  readonly introspectionPort: number;
  readonly metadataPort: number;
  /**
   * berth-only (BERTH_LINK_LOCAL_ENDPOINT): make 169.254.170.2:80 lead to the metadata server, as ecs-init does.
   * That is host-wide state, so the default is on only for root with the default metadata port.
   */
  readonly linkLocalEndpoint: boolean;
  /** ECS_ENGINE_AUTH_TYPE / ECS_ENGINE_AUTH_DATA: private registry auth (docker | dockercfg), data never printed. */
  readonly engineAuthType: 'docker' | 'dockercfg' | undefined;
  readonly engineAuthData: SecretString | undefined;
  /**
   * AWS_ENDPOINT_URL_SECRETS_MANAGER, else AWS_ENDPOINT_URL (the SDKs' standard overrides): where per-container
   * registry credentials are read. undefined = the region's https://secretsmanager.<region>.amazonaws.com.
   */
  readonly secretsManagerEndpoint: string | undefined;
  /**
   * AWS_ENDPOINT_URL_SSM, else AWS_ENDPOINT_URL: where container secrets with an SSM valueFrom are read.
   * undefined = the region's https://ssm.<region>.amazonaws.com.
   */
  readonly ssmEndpoint: string | undefined;
  /**
   * AWS_ENDPOINT_URL_ECR, else AWS_ENDPOINT_URL: where ECR GetAuthorizationToken goes when the task's ecrAuthData
   * has no endpointOverride. undefined = the region's https://api.ecr.<region>.amazonaws.com.
   */
  readonly ecrEndpoint: string | undefined;
  /**
   * AWS_ENDPOINT_URL_LOGS, else AWS_ENDPOINT_URL: given to Docker's awslogs driver as `awslogs-endpoint` when a
   * container's log options name none. undefined = the driver's own default (the region's CloudWatch Logs).
   */
  readonly logsEndpoint: string | undefined;
  /**
   * ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE (true, as ecs-init sets it): register
   * ecs.capability.execution-role-awslogs, so ECS sends awslogs containers with logsAuthStrategy ExecutionRole.
   */
  readonly awslogsExecutionRoleOverride: boolean;
  /** ECS_IMAGE_PULL_INACTIVITY_TIMEOUT: a pull with no progress for this long fails (min 1m). */
  readonly imagePullInactivityTimeoutMs: number;
  /** berth-only (BERTH_IMAGE_PULL_BACKOFF "min,max"): pull retry backoff, 1.1s..5s over 5 tries like the official agent. */
  readonly imagePullRetry: { readonly tries: number; readonly minMs: number; readonly maxMs: number };
  /** ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT: pull before container ordering is satisfied. */
  readonly pullDependentContainersUpfront: boolean;
  /** §5.8 image cleanup: ECS_DISABLE_IMAGE_CLEANUP, ECS_IMAGE_CLEANUP_INTERVAL (<10m -> 30m), ECS_IMAGE_MINIMUM_CLEANUP_AGE, ECS_NUM_IMAGES_DELETE_PER_CYCLE. */
  readonly imageCleanupDisabled: boolean;
  readonly imageCleanupIntervalMs: number;
  readonly imageMinimumCleanupAgeMs: number;
  readonly numImagesDeletePerCycle: number;
  /**
   * ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP: each cleanup cycle also removes exited containers that are not ECS task
   * containers (NONECS_NUM_CONTAINERS_DELETE_PER_CYCLE, stopped at least ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION ago)
   * and images no task uses (NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE since their creation), except those tagged with a
   * name in imageCleanupExclusions (ECS_EXCLUDE_UNTRACKED_IMAGE, comma separated; the pause and agent images always).
   */
  readonly untrackedImageCleanup: boolean;
  readonly imageCleanupExclusions: readonly string[];
  readonly nonEcsImageMinimumCleanupAgeMs: number;
  readonly numNonEcsContainersDeletePerCycle: number;
  /** ECS_SHARED_VOLUME_MATCH_FULL_CONFIG: an existing autoprovisioned shared volume must match labels and driver options. */
  readonly sharedVolumeMatchFullConfig: boolean;
  /**
   * Base URL of the metadata server as task containers see it (§8.3). loadConfig gives the official
   * http://169.254.170.2; the agent replaces it once the server listens (see http/endpoints.ts).
   */
  readonly metadataBaseUrl: string;
  /**
   * ECS_ENABLE_TASK_ENI: awsvpc. undefined = on when the instance can do it (root, CNI plugins, not
   * ECS_EXTERNAL); true also allows it with ECS_EXTERNAL (local use, tests); false = never.
   */
  readonly taskEni: boolean | undefined;
  /** ECS_CNI_PLUGINS_PATH: where the CNI plugins are (Debian's containernetworking-plugins: /usr/lib/cni). */
  readonly cniPluginsPath: string;
  /** berth-only (BERTH_ECS_BRIDGE): the host bridge of the awsvpc tasks' ecs-eth0 links. */
  readonly ecsBridgeName: string;
  /** ECS_AWSVPC_BLOCK_IMDS: a blackhole route for 169.254.169.254/32 in every awsvpc task's namespace. */
  readonly awsvpcBlockImds: boolean;
  /** ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES: IPv4 CIDRs (normalised) routed through ecs-eth0 / the ecs bridge. */
  readonly awsvpcAdditionalLocalRoutes: readonly string[];
  /**
   * ECS_ENABLE_TASK_CPU_MEM_LIMIT: task cgroups (cgroups/). undefined = on when the cgroup root can be made,
   * else off with a warning; true = a failure to make it exits 5 (the official agent); false = never.
   */
  readonly taskCpuMemLimit: boolean | undefined;
  /** ECS_CGROUP_PATH: where the cgroup hierarchy is mounted. */
  readonly cgroupPath: string;
  /** ECS_CGROUP_CPU_PERIOD: the CFS period of task cpu limits, 8-100ms (out of range -> 100ms, as officially). */
  readonly cgroupCpuPeriodMs: number;
  /** ECS_TASK_PIDS_LIMIT: pids.max of each task cgroup; 0 = unlimited (out of range -> 0, as officially). */
  readonly taskPidsLimit: number;
}

export const KNOWN_LOGGING_DRIVERS = [
  'json-file', 'syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'logentries', 'none', 'awsfirelens',
];
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

function kernelPortRange(): [number, number] {
  try {
    return parsePortRange(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')) ?? [49153, 65535];
  } catch {
    return [49153, 65535];
  }
}

function fail(name: string, value: string, why: string): never {
  throw new BerthError('ConfigError', `${name}=${JSON.stringify(value)}: ${why}`);
}

/** Reads typed values out of the merged KEY=VALUE map; empty strings count as unset. */
class Source {
  constructor(private readonly vars: Record<string, string | undefined>) {}
  str(name: string): string | undefined {
    const v = this.vars[name];
    return v === undefined || v === '' ? undefined : v;
  }
  bool(name: string, dflt: boolean): boolean {
    const v = this.str(name);
    return v === undefined ? dflt : (parseGoBool(v) ?? dflt);
  }
  duration(name: string, dflt: number, opts: { min?: number; belowMin?: 'default' | 'raise' } = {}): number {
    const v = this.str(name);
    if (v === undefined) return dflt;
    const ms = parseGoDuration(v);
    if (ms === undefined) fail(name, v, 'not a duration like 30s, 5m or 3h');
    if (opts.min !== undefined && ms < opts.min) return opts.belowMin === 'raise' ? opts.min : dflt;
    return ms;
  }
  json<T>(name: string, dflt: T, check: (v: unknown) => v is T, what: string): T {
    const v = this.str(name);
    if (v === undefined) return dflt;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      fail(name, v, `not JSON (${what})`);
    }
    if (!check(parsed)) fail(name, v, `expected ${what}`);
    return parsed;
  }
}

const isPortList = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((p) => Number.isInteger(p) && p >= 0 && p <= 65535);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((s) => typeof s === 'string');

/** The official agent reserves its Prometheus port whenever the endpoint is on (spec §1.3). */
const PROMETHEUS_PORT = 51680;
function withPrometheusPort(ports: number[], on: boolean): number[] {
  return on && !ports.includes(PROMETHEUS_PORT) ? [...ports, PROMETHEUS_PORT] : ports;
}

/** "10.1.2.3/16" -> "10.1.0.0/16" (the kernel refuses a route whose address has host bits); undefined if not IPv4 CIDR. */
function normaliseIpv4Cidr(cidr: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const net = addr - (addr % size);
  return `${[24, 16, 8, 0].map((s) => Math.floor(net / 2 ** s) % 256).join('.')}/${prefix}`;
}

/** A missing file is normal (the official agent runs without one); an unreadable one is an error. */
/** A remote Docker (tcp://) has no containerd socket here: 'auto' then means off. */
function containerdSocketSetting(value: string | undefined, dockerHost: string): string | undefined {
  const v = value ?? 'auto';
  if (v === 'off' || v === '') return undefined;
  if (v === 'auto') return dockerHost.startsWith('unix://') ? 'auto' : undefined;
  return v;
}

function readConfigFile(path: string): Record<string, string> {
  try {
    return parseEcsConfigFile(readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new BerthError('ConfigError', `cannot read config file ${path}: ${(err as Error).message}`);
    }
    return {};
  }
}

/** An endpoint override must be an http(s) URL; the trailing slash is dropped. */
function endpointUrl(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return fail(name, v, 'expected an http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(name, v, 'expected an http(s) URL');
  return v.replace(/\/+$/, '');
}

export function loadConfig(env: NodeJS.ProcessEnv, opts: { configFile?: string } = {}): AgentConfig {
  const fileVars = readConfigFile(opts.configFile ?? env['BERTH_CONFIG_FILE'] ?? '/etc/ecs/ecs.config');
  const merged: Record<string, string | undefined> = { ...fileVars };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') merged[k] = v;
  const src = new Source(merged);

  const region = src.str('AWS_DEFAULT_REGION') ?? src.str('AWS_REGION');
  if (region === undefined) {
    throw new BerthError('ConfigError', 'AWS_DEFAULT_REGION (or AWS_REGION) must be set: berth has no instance metadata to read it from');
  }
  const dataDirSet = src.str('ECS_DATADIR');
  const drivers = src.json('ECS_AVAILABLE_LOGGING_DRIVERS', ['json-file', 'none'], isStringList, 'a JSON array of strings');
  const unknownDriver = drivers.find((d) => !KNOWN_LOGGING_DRIVERS.includes(d));
  if (unknownDriver !== undefined) fail('ECS_AVAILABLE_LOGGING_DRIVERS', JSON.stringify(drivers), `unknown logging driver ${unknownDriver}`);
  const rangeRaw = src.str('ECS_DYNAMIC_HOST_PORT_RANGE');
  const range = rangeRaw === undefined ? kernelPortRange() : (parsePortRange(rangeRaw) ?? fail('ECS_DYNAMIC_HOST_PORT_RANGE', rangeRaw, 'expected lo-hi within 1-65535'));
  const reservedMemRaw = src.str('ECS_RESERVED_MEMORY');
  const reservedMemoryMiB = reservedMemRaw === undefined ? 0 : Number(reservedMemRaw);
  if (!Number.isInteger(reservedMemoryMiB) || reservedMemoryMiB < 0) fail('ECS_RESERVED_MEMORY', reservedMemRaw ?? '', 'expected a whole number of MiB');
  const pull = src.str('ECS_IMAGE_PULL_BEHAVIOR') ?? 'default';
  if (!['default', 'always', 'once', 'prefer-cached'].includes(pull)) fail('ECS_IMAGE_PULL_BEHAVIOR', pull, 'expected default, always, once or prefer-cached');
  const prometheus = src.bool('ECS_ENABLE_PROMETHEUS_METRICS', false);
  const promPortRaw = src.str('BERTH_PROMETHEUS_PORT');
  const prometheusPort = promPortRaw === undefined ? PROMETHEUS_PORT : Number(promPortRaw);
  if (!Number.isInteger(prometheusPort) || prometheusPort < 0 || prometheusPort > 65535) fail('BERTH_PROMETHEUS_PORT', promPortRaw ?? '', 'expected a port 0-65535');
  const endpointPort = (name: string, dflt: number): number => {
    const v = src.str(name);
    const n = v === undefined ? dflt : Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) fail(name, v ?? '', 'expected a port 0-65535 (0 = a free port)');
    return n;
  };
  const metadataPort = endpointPort('BERTH_METADATA_PORT', 51679);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const authType = src.str('ECS_ENGINE_AUTH_TYPE');
  if (authType !== undefined && authType !== 'docker' && authType !== 'dockercfg') fail('ECS_ENGINE_AUTH_TYPE', authType, 'expected docker or dockercfg');
  const authData = src.str('ECS_ENGINE_AUTH_DATA');
  if (authData !== undefined) {
    try {
      const parsed: unknown = JSON.parse(authData);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    } catch {
      throw new BerthError('ConfigError', 'ECS_ENGINE_AUTH_DATA: expected a JSON object keyed by registry');
    }
  }
  const pullBackoffRaw = src.str('BERTH_IMAGE_PULL_BACKOFF');
  const pullBackoff = pullBackoffRaw === undefined ? [1100, 5000] : pullBackoffRaw.split(',').map((d) => parseGoDuration(d.trim()));
  if (pullBackoff.length !== 2 || pullBackoff.some((d) => d === undefined)) fail('BERTH_IMAGE_PULL_BACKOFF', pullBackoffRaw ?? '', 'expected two durations "min,max", like 1.1s,5s');
  const deletePerCycleRaw = src.str('ECS_NUM_IMAGES_DELETE_PER_CYCLE');
  const deletePerCycle = deletePerCycleRaw === undefined ? 5 : Number(deletePerCycleRaw);
  if (!Number.isInteger(deletePerCycle) || deletePerCycle < 1) fail('ECS_NUM_IMAGES_DELETE_PER_CYCLE', deletePerCycleRaw ?? '', 'expected a positive whole number');
  const nonEcsDeleteRaw = src.str('NONECS_NUM_CONTAINERS_DELETE_PER_CYCLE');
  const nonEcsDelete = nonEcsDeleteRaw === undefined ? 5 : Number(nonEcsDeleteRaw);
  if (!Number.isInteger(nonEcsDelete) || nonEcsDelete < 0) fail('NONECS_NUM_CONTAINERS_DELETE_PER_CYCLE', nonEcsDeleteRaw ?? '', 'expected a whole number');
  const localRoutes = src.json('ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES', [], isStringList, 'a JSON array of CIDRs').map((c) => {
    const n = normaliseIpv4Cidr(c);
    return n ?? fail('ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES', c, 'expected an IPv4 CIDR like 10.0.0.0/16');
  });
  const ecsBridge = src.str('BERTH_ECS_BRIDGE') ?? 'ecs-bridge';
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(ecsBridge)) fail('BERTH_ECS_BRIDGE', ecsBridge, 'expected an interface name of at most 15 characters');
  // The official agent ignores an out-of-range period or pids limit with a warning; text that is no number at all is an error here.
  const cpuPeriodMs = src.duration('ECS_CGROUP_CPU_PERIOD', 100);
  const pidsRaw = src.str('ECS_TASK_PIDS_LIMIT');
  const pidsLimit = pidsRaw === undefined ? 0 : Number(pidsRaw.trim());
  if (pidsRaw !== undefined && !Number.isInteger(pidsLimit)) fail('ECS_TASK_PIDS_LIMIT', pidsRaw, 'expected a whole number of processes');
  const akid = src.str('AWS_ACCESS_KEY_ID');
  const secret = src.str('AWS_SECRET_ACCESS_KEY');

  const config: AgentConfig = {
    cluster: src.str('ECS_CLUSTER') ?? 'default',
    clusterConfigured: src.str('ECS_CLUSTER') !== undefined,
    backendHost: src.str('ECS_BACKEND_HOST'),
    region,
    dataDir: dataDirSet ?? '/data/',
    checkpoint: src.bool('ECS_CHECKPOINT', dataDirSet !== undefined),
    reservedPorts: Object.freeze(withPrometheusPort(src.json('ECS_RESERVED_PORTS', [22, 2375, 2376, 51678, 51679], isPortList, 'a JSON array of ports'), prometheus)),
    reservedPortsUdp: Object.freeze(src.json('ECS_RESERVED_PORTS_UDP', [], isPortList, 'a JSON array of ports')),
    reservedMemoryMiB,
    taskCleanupWaitMs: src.duration('ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION', 3 * HOUR, { min: SEC, belowMin: 'default' }),
    taskCleanupWaitJitterMs: src.duration('ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER', 0),
    containerStopTimeoutMs: src.duration('ECS_CONTAINER_STOP_TIMEOUT', 30 * SEC, { min: SEC, belowMin: 'default' }),
    containerStartTimeoutMs: src.duration('ECS_CONTAINER_START_TIMEOUT', 3 * MIN, { min: 45 * SEC, belowMin: 'raise' }),
    containerCreateTimeoutMs: src.duration('ECS_CONTAINER_CREATE_TIMEOUT', 4 * MIN, { min: MIN, belowMin: 'raise' }),
    imagePullTimeoutMs: src.duration('ECS_IMAGE_PULL_TIMEOUT', 2 * HOUR, { min: SEC, belowMin: 'default' }),
    imagePullBehavior: pull as ImagePullBehavior,
    dynamicHostPortRange: Object.freeze(range) as readonly [number, number],
    availableLoggingDrivers: Object.freeze(drivers),
    instanceAttributes: Object.freeze(src.json('ECS_INSTANCE_ATTRIBUTES', {}, isStringMap, 'a JSON object of strings')),
    containerInstanceTags: Object.freeze(src.json('ECS_CONTAINER_INSTANCE_TAGS', {}, isStringMap, 'a JSON object of strings')),
    disablePrivileged: src.bool('ECS_DISABLE_PRIVILEGED', false),
    external: src.bool('ECS_EXTERNAL', false),
    logLevel: src.str('ECS_LOGLEVEL') ?? 'info',
    dockerHost: src.str('DOCKER_HOST') ?? 'unix:///var/run/docker.sock',
    containerdSocket: containerdSocketSetting(src.str('BERTH_CONTAINERD_SOCKET'), src.str('DOCKER_HOST') ?? 'unix:///var/run/docker.sock'),
    excludeIpv6PortBinding: src.bool('ECS_EXCLUDE_IPV6_PORTBINDING', true),
    credentials: akid !== undefined && secret !== undefined ? new StaticCredentials(akid, secret, src.str('AWS_SESSION_TOKEN')) : undefined,
    acsInactivityTimeoutMs: src.duration('BERTH_ACS_INACTIVITY_TIMEOUT', MIN, { min: 10, belowMin: 'default' }),
    acsGiveUpMs: src.duration('BERTH_ACS_GIVE_UP', HOUR),
    relistIntervalMs: src.duration('BERTH_RELIST_INTERVAL', 30 * SEC, { min: 100, belowMin: 'raise' }),
    healthIntervalMs: src.duration('BERTH_HEALTH_INTERVAL', 10 * SEC, { min: 100, belowMin: 'raise' }),
    healthcheckAcsLimitMs: src.duration('BERTH_HEALTHCHECK_ACS_LIMIT', 5 * MIN),
    disableMetrics: src.bool('ECS_DISABLE_METRICS', false),
    disableDockerHealthCheck: src.bool('ECS_DISABLE_DOCKER_HEALTH_CHECK', false),
    pollMetrics: src.bool('ECS_POLL_METRICS', false),
    pollingMetricsWaitMs: Math.min(20 * SEC, Math.max(5 * SEC, src.duration('ECS_POLLING_METRICS_WAIT_DURATION', 10 * SEC))),
    tcsPublishIntervalMs: src.duration('BERTH_TCS_PUBLISH_INTERVAL', 20 * SEC, { min: 10, belowMin: 'default' }),
    enablePrometheusMetrics: prometheus,
    prometheusPort,
    credentialProfile: src.str('ECS_ALTERNATE_CREDENTIAL_PROFILE') ?? 'default',
    rotatingCredentialsFile: src.str('BERTH_ROTATING_CREDENTIALS_FILE'),
    credentialsRefreshMs: src.duration('BERTH_CREDENTIALS_REFRESH_INTERVAL', MIN, { min: 10, belowMin: 'raise' }),
    taskIamRole: src.bool('ECS_ENABLE_TASK_IAM_ROLE', false),
    taskIamRoleNetworkHost: src.bool('ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST', false),
    containerMetadata: src.bool('ECS_ENABLE_CONTAINER_METADATA', false),
    hostDataDir: src.str('ECS_HOST_DATA_DIR'),
    introspectionPort: endpointPort('BERTH_INTROSPECTION_PORT', 51678),
    metadataPort,
    linkLocalEndpoint: src.bool('BERTH_LINK_LOCAL_ENDPOINT', isRoot && metadataPort === 51679),
    engineAuthType: authType as 'docker' | 'dockercfg' | undefined,
    engineAuthData: authData === undefined ? undefined : new SecretString(authData),
    secretsManagerEndpoint: endpointUrl('AWS_ENDPOINT_URL_SECRETS_MANAGER', src.str('AWS_ENDPOINT_URL_SECRETS_MANAGER')) ?? endpointUrl('AWS_ENDPOINT_URL', src.str('AWS_ENDPOINT_URL')),
    ssmEndpoint: endpointUrl('AWS_ENDPOINT_URL_SSM', src.str('AWS_ENDPOINT_URL_SSM')) ?? endpointUrl('AWS_ENDPOINT_URL', src.str('AWS_ENDPOINT_URL')),
    ecrEndpoint: endpointUrl('AWS_ENDPOINT_URL_ECR', src.str('AWS_ENDPOINT_URL_ECR')) ?? endpointUrl('AWS_ENDPOINT_URL', src.str('AWS_ENDPOINT_URL')),
    logsEndpoint: endpointUrl('AWS_ENDPOINT_URL_LOGS', src.str('AWS_ENDPOINT_URL_LOGS')) ?? endpointUrl('AWS_ENDPOINT_URL', src.str('AWS_ENDPOINT_URL')),
    awslogsExecutionRoleOverride: src.bool('ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE', true),
    imagePullInactivityTimeoutMs: src.duration('ECS_IMAGE_PULL_INACTIVITY_TIMEOUT', MIN, { min: MIN, belowMin: 'raise' }),
    imagePullRetry: Object.freeze({ tries: 5, minMs: pullBackoff[0]!, maxMs: pullBackoff[1]! }),
    pullDependentContainersUpfront: src.bool('ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT', false),
    imageCleanupDisabled: src.bool('ECS_DISABLE_IMAGE_CLEANUP', false),
    imageCleanupIntervalMs: src.duration('ECS_IMAGE_CLEANUP_INTERVAL', 30 * MIN, { min: 10 * MIN, belowMin: 'default' }),
    imageMinimumCleanupAgeMs: src.duration('ECS_IMAGE_MINIMUM_CLEANUP_AGE', HOUR),
    numImagesDeletePerCycle: deletePerCycle,
    untrackedImageCleanup: src.bool('ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP', false),
    imageCleanupExclusions: Object.freeze((src.str('ECS_EXCLUDE_UNTRACKED_IMAGE') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')),
    nonEcsImageMinimumCleanupAgeMs: src.duration('NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE', HOUR),
    numNonEcsContainersDeletePerCycle: nonEcsDelete,
    sharedVolumeMatchFullConfig: src.bool('ECS_SHARED_VOLUME_MATCH_FULL_CONFIG', false),
    metadataBaseUrl: 'http://169.254.170.2',
    taskEni: src.str('ECS_ENABLE_TASK_ENI') === undefined ? undefined : src.bool('ECS_ENABLE_TASK_ENI', false),
    cniPluginsPath: src.str('ECS_CNI_PLUGINS_PATH') ?? '/usr/lib/cni',
    ecsBridgeName: ecsBridge,
    ...localEndpointSettings(src, dataDirSet ?? '/data/'),
    awsvpcBlockImds: src.bool('ECS_AWSVPC_BLOCK_IMDS', false),
    awsvpcAdditionalLocalRoutes: Object.freeze(localRoutes),
    taskCpuMemLimit: src.str('ECS_ENABLE_TASK_CPU_MEM_LIMIT') === undefined ? undefined : src.bool('ECS_ENABLE_TASK_CPU_MEM_LIMIT', true),
    cgroupPath: src.str('ECS_CGROUP_PATH') ?? '/sys/fs/cgroup',
    cgroupCpuPeriodMs: cpuPeriodMs >= 8 && cpuPeriodMs <= 100 ? cpuPeriodMs : 100,
    taskPidsLimit: pidsLimit >= 1 && pidsLimit <= 4_194_304 ? pidsLimit : 0,
  };
  return Object.freeze(config);
}
