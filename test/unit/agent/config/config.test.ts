import t from 'tap';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { parseEcsConfigFile, parseGoBool, parseGoDuration } from '../../../../src/agent/config/parse.js';

const NO_FILE = { configFile: '/nonexistent/berth-config-test' };
const base = { AWS_DEFAULT_REGION: 'us-west-2' };

t.test('defaults match the official agent', async (t) => {
  const c = loadConfig(base, NO_FILE);
  t.equal(c.cluster, 'default');
  t.equal(c.clusterConfigured, false);
  t.equal(c.dataDir, '/data/');
  t.equal(c.checkpoint, false, 'checkpoint is on only when ECS_DATADIR is set');
  t.same(c.reservedPorts, [22, 2375, 2376, 51678, 51679]);
  t.same(c.reservedPortsUdp, []);
  t.equal(c.taskCleanupWaitMs, 3 * 3600_000);
  t.equal(c.containerStopTimeoutMs, 30_000);
  t.equal(c.containerStartTimeoutMs, 180_000);
  t.equal(c.containerCreateTimeoutMs, 240_000);
  t.same(c.availableLoggingDrivers, ['json-file', 'none']);
  t.equal(c.excludeIpv6PortBinding, true);
  t.equal(c.dockerHost, 'unix:///var/run/docker.sock');
  t.ok(Object.isFrozen(c));
});

t.test('the environment overrides the config file, which overrides defaults', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'ecs.config');
  writeFileSync(file, 'ECS_CLUSTER=from-file\nECS_RESERVED_MEMORY=128\n#ECS_LOGLEVEL=debug\nECS_INSTANCE_ATTRIBUTES={"a":"b=c"}\n');
  const c = loadConfig({ ...base, ECS_CLUSTER: 'from-env' }, { configFile: file });
  t.equal(c.cluster, 'from-env');
  t.equal(c.reservedMemoryMiB, 128);
  t.equal(c.logLevel, 'info', 'no comment syntax: #ECS_LOGLEVEL is another key');
  t.same(c.instanceAttributes, { a: 'b=c' }, 'split on the first =');
  t.equal(loadConfig({ ...base, BERTH_CONFIG_FILE: file }).cluster, 'from-file');
});

t.test('values are parsed with Go semantics', async (t) => {
  const c = loadConfig({
    ...base,
    ECS_DATADIR: '/tmp/x',
    ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '500ms',
    ECS_CONTAINER_STOP_TIMEOUT: '1m30s',
    ECS_CONTAINER_START_TIMEOUT: '10s',
    ECS_DISABLE_PRIVILEGED: 'T',
    ECS_EXTERNAL: 'nonsense',
    ECS_RESERVED_PORTS: '[22, 80]',
    ECS_DYNAMIC_HOST_PORT_RANGE: '40000-40010',
  }, NO_FILE);
  t.equal(c.checkpoint, true);
  t.equal(c.taskCleanupWaitMs, 3 * 3600_000, 'below 1s falls back to the default');
  t.equal(c.containerStopTimeoutMs, 90_000);
  t.equal(c.containerStartTimeoutMs, 45_000, 'raised to its minimum');
  t.equal(c.disablePrivileged, true);
  t.equal(c.external, false, 'an unparsable bool is ignored');
  t.same(c.reservedPorts, [22, 80]);
  t.same(c.dynamicHostPortRange, [40000, 40010]);
  t.equal(loadConfig({ ...base, ECS_DATADIR: '/x', ECS_CHECKPOINT: 'false' }, NO_FILE).checkpoint, false);
  t.equal(loadConfig({ AWS_REGION: 'eu-west-1' }, NO_FILE).region, 'eu-west-1');
});

t.test('bad values are ConfigErrors that name the variable', async (t) => {
  t.throws(() => loadConfig({}, NO_FILE), { code: 'ConfigError', message: /AWS_DEFAULT_REGION/ });
  t.throws(() => loadConfig({ ...base, ECS_RESERVED_PORTS: '22' }, NO_FILE), { code: 'ConfigError', message: /ECS_RESERVED_PORTS/ });
  t.throws(() => loadConfig({ ...base, ECS_CONTAINER_STOP_TIMEOUT: 'soon' }, NO_FILE), { code: 'ConfigError' });
  t.throws(() => loadConfig({ ...base, ECS_AVAILABLE_LOGGING_DRIVERS: '["bogus"]' }, NO_FILE), { code: 'ConfigError', message: /bogus/ });
  t.throws(() => loadConfig({ ...base, ECS_DYNAMIC_HOST_PORT_RANGE: '9-2' }, NO_FILE), { code: 'ConfigError' });
  t.throws(() => loadConfig({ ...base, ECS_INSTANCE_ATTRIBUTES: '{"a":1}' }, NO_FILE), { code: 'ConfigError' });
});

t.test('credentials never print', async (t) => {
  const c = loadConfig({ ...base, AWS_ACCESS_KEY_ID: 'AKIDSECRET', AWS_SECRET_ACCESS_KEY: 'shh' }, NO_FILE);
  t.equal(c.credentials?.secretAccessKey, 'shh');
  t.notMatch(JSON.stringify(c), /shh|AKIDSECRET/);
  t.notMatch(inspect(c), /shh|AKIDSECRET/);
});

t.test('the value parsers follow Go', async (t) => {
  t.equal(parseGoBool('1'), true);
  t.equal(parseGoBool('False'), false);
  t.equal(parseGoBool('yes'), undefined);
  t.equal(parseGoDuration('3h'), 3 * 3600_000);
  t.equal(parseGoDuration('1.5m'), 90_000);
  t.equal(parseGoDuration('0'), 0);
  t.equal(parseGoDuration('5'), undefined);
  t.same(parseEcsConfigFile('  A=1\nB\n C = 2 \n'), { A: '1', 'C ': ' 2' });
});

t.test('telemetry settings: TCS switches, polling clamped to 5s-20s, Prometheus port reserved only when on', async (t) => {
  const d = loadConfig(base, NO_FILE);
  t.equal(d.disableMetrics, false);
  t.equal(d.disableDockerHealthCheck, false);
  t.equal(d.pollMetrics, false);
  t.equal(d.pollingMetricsWaitMs, 10_000);
  t.equal(d.tcsPublishIntervalMs, 20_000);
  t.equal(d.enablePrometheusMetrics, false);
  t.equal(d.prometheusPort, 51680);
  t.notOk(d.reservedPorts.includes(51680));
  t.equal(loadConfig({ ...base, ECS_POLLING_METRICS_WAIT_DURATION: '1s' }, NO_FILE).pollingMetricsWaitMs, 5_000);
  t.equal(loadConfig({ ...base, ECS_POLLING_METRICS_WAIT_DURATION: '1m' }, NO_FILE).pollingMetricsWaitMs, 20_000);
  const on = loadConfig({ ...base, ECS_ENABLE_PROMETHEUS_METRICS: 'true', ECS_DISABLE_METRICS: 'true', ECS_DISABLE_DOCKER_HEALTH_CHECK: 'true', ECS_POLL_METRICS: 'true' }, NO_FILE);
  t.ok(on.enablePrometheusMetrics && on.disableMetrics && on.disableDockerHealthCheck && on.pollMetrics);
  t.same(on.reservedPorts, [22, 2375, 2376, 51678, 51679, 51680]);
  t.equal(loadConfig({ ...base, BERTH_PROMETHEUS_PORT: '0' }, NO_FILE).prometheusPort, 0, '0 asks for a free port');
  t.throws(() => loadConfig({ ...base, BERTH_PROMETHEUS_PORT: 'x' }, NO_FILE), { code: 'ConfigError' });
});

t.test('local endpoint ports, task IAM role and container metadata switches', async (t) => {
  const c = loadConfig(base, NO_FILE);
  t.equal(c.introspectionPort, 51678);
  t.equal(c.metadataPort, 51679);
  t.equal(c.taskIamRole, false, 'off like the official agent (ecs-init turns it on)');
  t.equal(c.taskIamRoleNetworkHost, false);
  t.equal(c.containerMetadata, false);
  const root = process.getuid?.() === 0;
  t.equal(c.linkLocalEndpoint, root, 'the link-local endpoint defaults on only for root on the default port');
  const free = loadConfig({ ...base, BERTH_INTROSPECTION_PORT: '0', BERTH_METADATA_PORT: '0' }, NO_FILE);
  t.equal(free.introspectionPort, 0);
  t.equal(free.metadataPort, 0);
  t.equal(free.linkLocalEndpoint, false, 'never by default on a free port: tests run several agents at once');
  const on = loadConfig({
    ...base,
    ECS_ENABLE_TASK_IAM_ROLE: 'true',
    ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST: 'true',
    ECS_ENABLE_CONTAINER_METADATA: 'true',
    BERTH_METADATA_PORT: '0',
    BERTH_LINK_LOCAL_ENDPOINT: 'true',
  }, NO_FILE);
  t.ok(on.taskIamRole && on.taskIamRoleNetworkHost && on.containerMetadata && on.linkLocalEndpoint);
  t.throws(() => loadConfig({ ...base, BERTH_METADATA_PORT: '70000' }, NO_FILE), { code: 'ConfigError', message: /BERTH_METADATA_PORT/ });
});

t.test('engine image settings: official defaults, validation, and auth data that never prints', async (t) => {
  const c = loadConfig(base, NO_FILE);
  t.equal(c.imagePullInactivityTimeoutMs, 60_000);
  t.same(c.imagePullRetry, { tries: 5, minMs: 1100, maxMs: 5000 });
  t.equal(c.imageCleanupDisabled, false);
  t.equal(c.imageCleanupIntervalMs, 30 * 60_000);
  t.equal(c.imageMinimumCleanupAgeMs, 3600_000);
  t.equal(c.numImagesDeletePerCycle, 5);
  t.equal(c.engineAuthType, undefined);
  t.equal(loadConfig({ ...base, ECS_IMAGE_CLEANUP_INTERVAL: '5m' }, NO_FILE).imageCleanupIntervalMs, 30 * 60_000, 'below 10m -> default');
  t.equal(loadConfig({ ...base, ECS_IMAGE_PULL_INACTIVITY_TIMEOUT: '10s' }, NO_FILE).imagePullInactivityTimeoutMs, 60_000, 'raised to 1m');
  t.same(loadConfig({ ...base, BERTH_IMAGE_PULL_BACKOFF: '10ms,20ms' }, NO_FILE).imagePullRetry, { tries: 5, minMs: 10, maxMs: 20 });
  t.throws(() => loadConfig({ ...base, BERTH_IMAGE_PULL_BACKOFF: 'soon' }, NO_FILE), /BERTH_IMAGE_PULL_BACKOFF/);
  t.throws(() => loadConfig({ ...base, ECS_ENGINE_AUTH_TYPE: 'ecr' }, NO_FILE), /ECS_ENGINE_AUTH_TYPE/);
  t.throws(() => loadConfig({ ...base, ECS_ENGINE_AUTH_TYPE: 'docker', ECS_ENGINE_AUTH_DATA: 'nope' }, NO_FILE), /ECS_ENGINE_AUTH_DATA/);
  t.throws(() => loadConfig({ ...base, ECS_NUM_IMAGES_DELETE_PER_CYCLE: '0' }, NO_FILE), /ECS_NUM_IMAGES_DELETE_PER_CYCLE/);
  const withAuth = loadConfig({ ...base, ECS_ENGINE_AUTH_TYPE: 'dockercfg', ECS_ENGINE_AUTH_DATA: '{"r":{"auth":"dTpw"}}' }, NO_FILE);
  t.equal(withAuth.engineAuthType, 'dockercfg');
  t.equal(withAuth.engineAuthData?.value, '{"r":{"auth":"dTpw"}}');
  t.notMatch(inspect(withAuth) + JSON.stringify(withAuth), /dTpw/, 'never printed');
});

t.test('durability settings: ACS give-up, relist and health intervals, healthcheck limit', async (t) => {
  const d = loadConfig(base, NO_FILE);
  t.equal(d.acsGiveUpMs, 3600_000);
  t.equal(d.relistIntervalMs, 30_000);
  t.equal(d.healthIntervalMs, 10_000);
  t.equal(d.healthcheckAcsLimitMs, 300_000);
  const c = loadConfig({ ...base, BERTH_ACS_GIVE_UP: '0', BERTH_RELIST_INTERVAL: '1ms', BERTH_HEALTH_INTERVAL: '2s', BERTH_HEALTHCHECK_ACS_LIMIT: '90s' }, NO_FILE);
  t.equal(c.acsGiveUpMs, 0, '0 never gives up');
  t.equal(c.relistIntervalMs, 100, 'a relist faster than 100ms is raised to 100ms');
  t.equal(c.healthIntervalMs, 2000);
  t.equal(c.healthcheckAcsLimitMs, 90_000);
  t.throws(() => loadConfig({ ...base, BERTH_RELIST_INTERVAL: 'often' }, NO_FILE), { code: 'ConfigError' });
});

t.test('awsvpc settings: ECS_ENABLE_TASK_ENI is tri-state, CNI plugins default to Debian\'s path', async (t) => {
  const d = loadConfig(base, NO_FILE);
  t.equal(d.taskEni, undefined, 'unset: decided by what the instance can do');
  t.equal(d.cniPluginsPath, '/usr/lib/cni');
  t.equal(d.ecsBridgeName, 'ecs-bridge');
  t.equal(d.excludeIpv6PortBinding, true);
  const c = loadConfig({ ...base, ECS_ENABLE_TASK_ENI: 'true', ECS_CNI_PLUGINS_PATH: '/opt/cni/bin', BERTH_ECS_BRIDGE: 'br-test' }, NO_FILE);
  t.equal(c.taskEni, true);
  t.equal(c.cniPluginsPath, '/opt/cni/bin');
  t.equal(c.ecsBridgeName, 'br-test');
  t.equal(loadConfig({ ...base, ECS_ENABLE_TASK_ENI: 'false' }, NO_FILE).taskEni, false);
  t.throws(() => loadConfig({ ...base, BERTH_ECS_BRIDGE: 'a-name-longer-than-15' }, NO_FILE), /BERTH_ECS_BRIDGE/);
});
