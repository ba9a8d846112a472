/**
 * Every environment variable `berth agent` honours, with its default and one line of meaning: the source of
 * `berth agent --help` and of the README table. test/unit/agent/config/vars.test.ts fails when src/agent/config/ reads a name
 * that is missing here (or this lists a name nothing reads), so the help text cannot drift from the code.
 */

export interface ConfigVariable {
  readonly name: string;
  /** The default as a user would write it; '' when there is none. */
  readonly default: string;
  readonly doc: string;
  /** Read by the CLI (healthcheck) rather than by loadConfig. */
  readonly cliOnly?: boolean;
}

const v = (name: string, dflt: string, doc: string, cliOnly?: boolean): ConfigVariable =>
  cliOnly ? { name, default: dflt, doc, cliOnly } : { name, default: dflt, doc };

export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  // Where to register.
  v('ECS_CLUSTER', 'default', 'cluster to join (name or ARN); "default" is created when unset and missing'),
  v('AWS_DEFAULT_REGION', '', 'region (required: berth reads no instance metadata)'),
  v('AWS_REGION', '', 'used when AWS_DEFAULT_REGION is unset'),
  v('ECS_BACKEND_HOST', 'AWS endpoint of the region', 'ECS API endpoint, e.g. http://127.0.0.1:8800 for berth emulator'),
  v('ECS_EXTERNAL', 'false', 'ECS Anywhere mode: no IMDS, adds ecs.capability.external and ecs.cpu-architecture'),
  // Credentials.
  v('AWS_ACCESS_KEY_ID', '', 'static instance credentials (with AWS_SECRET_ACCESS_KEY); first in the chain'),
  v('AWS_SECRET_ACCESS_KEY', '', 'see AWS_ACCESS_KEY_ID'),
  v('AWS_SESSION_TOKEN', '', 'session token for temporary static credentials'),
  v('ECS_ALTERNATE_CREDENTIAL_PROFILE', 'default', 'profile read from the rotating shared credentials file'),
  v('BERTH_ROTATING_CREDENTIALS_FILE', '/rotatingcreds/credentials, else /root/.aws/credentials', 'rotating (SSM-managed) shared credentials file, re-read every refresh interval'),
  v('BERTH_CREDENTIALS_REFRESH_INTERVAL', '1m', 'how often the rotating credentials file is re-read'),
  // State and configuration files.
  v('BERTH_CONFIG_FILE', '/etc/ecs/ecs.config', 'KEY=VALUE file read before the environment'),
  v('ECS_DATADIR', '/data/', 'state directory (berth-agent.db); the container instance ARN is reused from here'),
  v('ECS_CHECKPOINT', 'true when ECS_DATADIR is set', 'keep state across restarts; false registers a new instance each start'),
  // Resources.
  v('ECS_RESERVED_PORTS', '[22,2375,2376,51678,51679]', 'TCP ports reported as PORTS and never handed out'),
  v('ECS_RESERVED_PORTS_UDP', '[]', 'UDP ports reported as PORTS_UDP'),
  v('ECS_RESERVED_MEMORY', '0', 'MiB subtracted from the registered memory'),
  v('ECS_DYNAMIC_HOST_PORT_RANGE', 'kernel ip_local_port_range, else 49153-65535', 'where hostPort 0 is allocated (lo-hi)'),
  v('ECS_INSTANCE_ATTRIBUTES', '{}', 'JSON object of custom attributes, sent at first registration'),
  v('ECS_CONTAINER_INSTANCE_TAGS', '{}', 'JSON object of tags, sent at first registration'),
  // Docker and tasks.
  v('DOCKER_HOST', 'unix:///var/run/docker.sock', 'Docker engine'),
  v('BERTH_CONTAINERD_SOCKET', 'auto', "containerd socket whose exit events tell container exits before dockerd does; auto = dockerd's own or /run/containerd when DOCKER_HOST is local; off = Docker events only"),
  v('ECS_AVAILABLE_LOGGING_DRIVERS', '["json-file","none"]', 'logging-driver capabilities to register'),
  v('ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE', 'true', 'register ecs.capability.execution-role-awslogs: awslogs containers ship logs with the task execution role (awslogs-credentials-endpoint)'),
  v('ECS_DISABLE_PRIVILEGED', 'false', 'refuse privileged containers'),
  v('ECS_IMAGE_PULL_BEHAVIOR', 'default', 'default | always | once | prefer-cached'),
  v('ECS_IMAGE_PULL_TIMEOUT', '2h', 'image pull timeout'),
  v('ECS_IMAGE_PULL_INACTIVITY_TIMEOUT', '1m', 'a pull without progress for this long fails (min 1m)'),
  v('BERTH_IMAGE_PULL_BACKOFF', '1.1s,5s', 'pull retry backoff min,max (5 tries)'),
  v('ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT', 'false', 'pull images before container ordering is satisfied'),
  v('ECS_ENGINE_AUTH_TYPE', '', 'private registry auth: docker | dockercfg'),
  v('ECS_ENGINE_AUTH_DATA', '', 'JSON keyed by registry (never printed)'),
  v('AWS_ENDPOINT_URL_SECRETS_MANAGER', 'https://secretsmanager.<region>.amazonaws.com', 'Secrets Manager endpoint for per-container registry credentials (repositoryCredentials); berth up points it at the emulator'),
  v('AWS_ENDPOINT_URL_SSM', 'https://ssm.<region>.amazonaws.com', 'SSM Parameter Store endpoint for container secrets with an SSM valueFrom; berth up points it at the emulator'),
  v('AWS_ENDPOINT_URL_ECR', 'https://api.ecr.<region>.amazonaws.com', 'ECR endpoint for GetAuthorizationToken (registryAuthentication type ecr) when the task names no endpointOverride'),
  v('AWS_ENDPOINT_URL_LOGS', "the awslogs driver's default", "CloudWatch Logs endpoint given to Docker's awslogs driver (awslogs-endpoint) when a container's log options name none; berth up points it at the emulator"),
  v('AWS_ENDPOINT_URL', '', 'endpoint for every AWS service berth calls directly (Secrets Manager, SSM, ECR, CloudWatch Logs) when no service-specific one is set'),
  v('ECS_DISABLE_IMAGE_CLEANUP', 'false', 'keep unused images'),
  v('ECS_IMAGE_CLEANUP_INTERVAL', '30m', 'image cleanup period (<10m -> 30m)'),
  v('ECS_IMAGE_MINIMUM_CLEANUP_AGE', '1h', 'an image is removed only this long after its pull'),
  v('ECS_NUM_IMAGES_DELETE_PER_CYCLE', '5', 'images removed per cleanup cycle'),
  v('ECS_ENABLE_UNTRACKED_IMAGE_CLEANUP', 'false', 'image cleanup also removes exited non-ECS containers and images no task uses'),
  v('ECS_EXCLUDE_UNTRACKED_IMAGE', '', 'comma-separated image names untracked cleanup keeps (the pause and agent images are always kept)'),
  v('NON_ECS_IMAGE_MINIMUM_CLEANUP_AGE', '1h', 'an untracked image is removed only this long after its creation'),
  v('NONECS_NUM_CONTAINERS_DELETE_PER_CYCLE', '5', 'exited non-ECS containers removed per cleanup cycle'),
  v('ECS_CONTAINER_CREATE_TIMEOUT', '4m', 'docker create timeout (min 1m)'),
  v('ECS_CONTAINER_START_TIMEOUT', '3m', 'docker start timeout (min 45s)'),
  v('ECS_CONTAINER_STOP_TIMEOUT', '30s', 'SIGTERM-to-SIGKILL grace (a container stopTimeout wins)'),
  v('ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION', '3h', 'how long stopped task containers stay before removal'),
  v('ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER', '0', 'a random extra wait in [0, jitter) added to each task cleanup'),
  v('ECS_SHARED_VOLUME_MATCH_FULL_CONFIG', 'false', 'an existing autoprovisioned shared volume must match labels and driver options, not only the name'),
  v('ECS_EXCLUDE_IPV6_PORTBINDING', 'true', 'drop :: bindings from state changes'),
  v('ECS_ENABLE_TASK_IAM_ROLE', 'false', 'serve task role credentials (bridge network mode)'),
  v('ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST', 'false', 'serve task role credentials (host network mode)'),
  v('ECS_ENABLE_TASK_ENI', 'on as root with the CNI plugins, unless ECS_EXTERNAL', 'awsvpc network mode (true also allows it with ECS_EXTERNAL)'),
  v('ECS_CNI_PLUGINS_PATH', '/usr/lib/cni', 'CNI plugins for awsvpc (host-device, bridge, static, host-local)'),
  v('ECS_AWSVPC_BLOCK_IMDS', 'false', 'awsvpc tasks cannot reach 169.254.169.254 (blackhole route in the task namespace)'),
  v('ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES', '[]', 'JSON array of IPv4 CIDRs awsvpc tasks reach through ecs-eth0 (the ecs bridge) instead of the ENI'),
  v('BERTH_ECS_BRIDGE', 'ecs-bridge', "host bridge of awsvpc tasks' ecs-eth0 (credentials and metadata route)"),
  v('ECS_ENABLE_TASK_CPU_MEM_LIMIT', 'on when berth can write the cgroup tree', 'task-level cpu/memory limits in a cgroup per task (/ecs/<task-id>); true = exit 5 when the cgroup root cannot be made'),
  v('ECS_CGROUP_PATH', '/sys/fs/cgroup', 'where the cgroup hierarchy is mounted'),
  v('ECS_CGROUP_CPU_PERIOD', '100ms', 'CFS period of task cpu limits, 8ms-100ms (out of range -> 100ms)'),
  v('ECS_TASK_PIDS_LIMIT', '0', 'pids.max of each task cgroup, 1-4194304; 0 or unset = unlimited'),
  v('ECS_ENABLE_CONTAINER_METADATA', 'false', 'write a metadata file per container (ECS_CONTAINER_METADATA_FILE)'),
  v('ECS_HOST_DATA_DIR', '/ (ECS_DATADIR is a host path)', 'host directory that ECS_DATADIR paths are relative to, for metadata file mounts when berth runs in a container'),
  // Telemetry.
  v('ECS_DISABLE_METRICS', 'false', 'no task metrics over TCS'),
  v('ECS_DISABLE_DOCKER_HEALTH_CHECK', 'false', 'no container health over TCS'),
  v('ECS_POLL_METRICS', 'false', 'sample stats every ECS_POLLING_METRICS_WAIT_DURATION'),
  v('ECS_POLLING_METRICS_WAIT_DURATION', '10s', 'stats polling period, clamped to 5s-20s'),
  v('ECS_ENABLE_PROMETHEUS_METRICS', 'false', "serve the agent's own metrics (reserves port 51680)"),
  // Local endpoints and logging.
  v('BERTH_INTROSPECTION_PORT', '51678', 'introspection endpoint (/v1/metadata, /v1/tasks); 0 = a free port'),
  v('BERTH_METADATA_PORT', '51679', 'task metadata endpoint; 0 = a free port'),
  v('BERTH_PROMETHEUS_PORT', '51680', 'Prometheus endpoint; 0 = a free port'),
  v('BERTH_LINK_LOCAL_ENDPOINT', 'true as root with the default metadata port', 'route 169.254.170.2:80 to the metadata endpoint'),
  v('ECS_AGENT_HEALTHCHECK_HOST', 'localhost', 'host that `berth agent --healthcheck` asks', true),
  v('ECS_LOGLEVEL', 'info', 'log level: trace, debug, info, warn, error'),
  v('ECS_LOGFILE', '', 'also write the log lines to this file (0600, rotated per ECS_LOG_*); stderr stays'),
  v('ECS_LOG_ROLLOVER_TYPE', 'hourly', 'rotation of ECS_LOGFILE and the audit log: hourly (file.YYYY-MM-DD-HH) or size (file.N)'),
  v('ECS_LOG_MAX_FILE_SIZE_MB', '10', 'size rotation threshold in MB (10^6 bytes)'),
  v('ECS_LOG_MAX_ROLL_COUNT', '24', 'rotated files kept'),
  v('ECS_AUDIT_LOGFILE', '<ECS_DATADIR>/log/audit.log', 'credentials audit log: one line per task/execution role credentials request, never the credentials'),
  v('ECS_AUDIT_LOGFILE_DISABLED', 'false', 'no credentials audit log'),
  v('ECS_TASK_METADATA_RPS_LIMIT', '40,60', 'task metadata rate limit "rate,burst" shared by all callers (429 beyond); invalid -> 40,60'),
  v('ECS_DISABLE_TASK_METADATA_AZ', 'false', 'leave AvailabilityZone out of task metadata responses'),
  v('ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS', 'false', 'introspection on all interfaces; otherwise loopback + docker0 gateway and, as root, an iptables DROP for other interfaces'),
  v('ECS_SKIP_LOCALHOST_TRAFFIC_FILTER', 'false', 'as root, do not install the filter INPUT rule dropping off-host packets to 127.0.0.0/8'),
  // Timers berth lets tests shorten.
  v('BERTH_ACS_INACTIVITY_TIMEOUT', '1m', 'ACS inactivity timer base'),
  v('BERTH_TCS_PUBLISH_INTERVAL', '20s', 'TCS publish period'),
  v('BERTH_ACS_GIVE_UP', '1h', 'exit 1 (restart me) after this long without ACS; 0 = never'),
  v('BERTH_RELIST_INTERVAL', '30s', "how often every task's containers are inspected beside the event stream"),
  v('BERTH_HEALTH_INTERVAL', '10s', 'how often the health file in ECS_DATADIR is rewritten'),
  v('BERTH_HEALTHCHECK_ACS_LIMIT', '5m', '--healthcheck fails after this long without ACS'),
];

/** The `berth agent --help` section: one aligned line per variable. */
export function formatConfigVariables(vars: readonly ConfigVariable[] = CONFIG_VARIABLES): string {
  const width = Math.max(...vars.map((x) => x.name.length)) + 2;
  return vars
    .map((x) => `  ${x.name.padEnd(width)}${x.doc}${x.default === '' ? '' : ` (default: ${x.default})`}`)
    .join('\n');
}

/** The README's table of every variable (between its `config-variables` markers), generated from the list above. */
export function configVariablesMarkdown(): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const rows = CONFIG_VARIABLES.map((c) => `| \`${c.name}\` | ${c.default === '' ? '—' : cell(c.default)} | ${cell(c.doc)} |`);
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}
