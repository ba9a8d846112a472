/**
 * Startup order (spec §1.4): docker version -> store -> saved state checks -> RegisterContainerInstance ->
 * save metadata -> engine (events, reconcile, resume) -> ACS. Shutdown reverses it and leaves containers running.
 */
import { BerthError, isBerthError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { Backoff } from '../shared/time.js';
import { sleep } from '../shared/clock.js';
import type { AgentConfig } from './config/config.js';
import { createEcsClient, instanceCredentials } from './api/ecs-api.js';
import { ecsResourceTags, ecsTaskProtection } from './http/tmds-ecs.js';
import { capabilityAttributes, supportedApiVersions } from './registration/attributes.js';
import { readHostResources, totalResources } from './registration/resources.js';
import { registerContainerInstance, type Registration } from './registration/register.js';
import { DockerRuntime } from './runtime/docker.js';
import { StateStore } from './state/store.js';
import { TaskManager } from './engine/task-manager.js';
import { Reporter } from './reporter/reporter.js';
import { AcsSession } from './acs/session.js';
import { CredentialsStore } from './credentials/store.js';
import { startLocalEndpoints } from './http/endpoints.js';
import { CgroupReader, StatsCollector } from './stats/index.js';
import { ManifestState } from './acs/responders/manifest-state.js';
import { AGENT_VERSION } from './config/version.js';
import { createTcsSession } from './tcs/index.js';
import { PollEndpointCache } from './api/poll-endpoints.js';
// Not ./metrics/index.js: it re-exports the prom-client registry, which is loaded only when metrics are on.
import { instrumentEcsClient, instrumentRuntime } from './metrics/instrument.js';
import { startPrometheusServer } from './metrics/server.js';
import { waitForDocker } from './health/docker-wait.js';
import { HealthWriter } from './health/status-file.js';
import path from 'node:path';
import { SubmitTaskStateChangeCommand } from '@aws-sdk/client-ecs';
import { awsvpcSupport } from './network/awsvpc/support.js';
import { EniAttachments } from './network/awsvpc/attachments.js';
import { AwsvpcNetwork } from './network/awsvpc/task-network.js';
import { ContainerMetadataFiles, hostPrivateIPv4 } from './engine/metadata-file.js';
import { StartedParts } from '../shared/started-parts.js';
import { startTaskCgroups } from './cgroups/startup.js';

export interface Agent {
  readonly containerInstanceArn: string;
  /** Where the introspection API and the task metadata server listen on 127.0.0.1 (0 in config = a free port). */
  readonly introspectionPort: number;
  readonly metadataPort: number;
  /** Where GET /metrics listens when ECS_ENABLE_PROMETHEUS_METRICS is set. */
  readonly prometheusPort?: number | undefined;
  /** Resolves with the exit code the process should use (0 clean, 1 transient, 5 terminal) once the agent stops. */
  readonly done: Promise<number>;
  /** Graceful shutdown: stop loops, persist, close sockets with a close frame; containers keep running. Idempotent. */
  close(): Promise<void>;
}

const REGISTRATION_ATTEMPTS = 5;

/** Exit code for an error that ends the agent: 5 when retrying cannot help, else 1. */
export function exitCodeFor(err: unknown): number {
  return isBerthError(err) && !err.retriable ? 5 : 1;
}

async function registerWithRetry(run: () => Promise<Registration>, log: Logger): Promise<Registration> {
  const backoff = new Backoff({ minMs: 1000, maxMs: 30_000, multiplier: 2, jitter: 0.2 });
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!isBerthError(err) || !err.retriable || attempt >= REGISTRATION_ATTEMPTS) throw err;
      log.warn({ err, attempt }, 'registration failed; retrying');
      await sleep(backoff.next());
    }
  }
}

/** `signal` aborts startup (SIGTERM while waiting for Docker or ACS). */
export async function startAgent(opts: { config: AgentConfig; log: Logger; signal?: AbortSignal }): Promise<Agent> {
  const { config } = opts;
  const log = opts.log.child({ cluster: config.cluster });
  // Docker and ECS API calls are timed only when the Prometheus endpoint is on.
  // prom-client (~0.7 MB of heap) is imported only then: most agents never serve /metrics.
  const metrics = config.enablePrometheusMetrics ? new (await import('./metrics/registry.js')).AgentMetrics() : undefined;
  // Every part is recorded as it starts; a failure anywhere below closes what had started, in reverse.
  const parts = new StartedParts(log);
  try {
    const runtime = parts.add('docker', instrumentRuntime(new DockerRuntime({ dockerHost: config.dockerHost, containerdSocket: config.containerdSocket, log: log.child({ component: 'runtime' }) }), metrics), (r) => r.close());
    const version = await waitForDocker({ runtime, dockerHost: config.dockerHost, signal: opts.signal, log });
    const apiVersions = supportedApiVersions(version.minApiVersion, version.apiVersion);
    if (!apiVersions.includes('1.21')) {
      throw new BerthError('DockerClientConfigError', `Docker ${version.version} (API ${version.minApiVersion}-${version.apiVersion}) does not support API 1.21`);
    }
    // §1.4 step 6: the task cgroup root; with ECS_ENABLE_TASK_CPU_MEM_LIMIT=true a failure exits 5 (cgroups/startup.ts).
    const cgroups = apiVersions.includes('1.22') ? await startTaskCgroups(config, log) : undefined;

    const store = parts.add('state store', new StateStore({ dataDir: config.checkpoint ? config.dataDir : undefined }), (s) => s.close());
    const savedCluster = store.getMeta('cluster-name');
    if (savedCluster !== undefined && savedCluster !== config.cluster) {
      throw new BerthError('ClusterMismatchError', `saved state belongs to cluster ${savedCluster}, but ECS_CLUSTER is ${config.cluster}`);
    }
    const savedArn = store.getMeta('container-instance-arn');
    const credentials = instanceCredentials(config, log.child({ component: 'credentials' }));
    const client = parts.add('ecs client', createEcsClient(config, credentials), (c) => c.destroy());
    instrumentEcsClient(client, metrics);
    const host = await readHostResources(config.reservedMemoryMiB);
    // awsvpc only where it really works (root, CNI plugins, pause image): then task-eni is registered.
    const awsvpc = await awsvpcSupport({ config, runtime, signal: AbortSignal.timeout(10_000) });
    if (!awsvpc.ok) log.info({ reason: awsvpc.reason }, 'awsvpc network mode not available');
    const registration = await registerWithRetry(
      () =>
        registerContainerInstance({
          client,
          cluster: config.cluster,
          clusterConfigured: config.clusterConfigured,
          containerInstanceArn: savedArn,
          attributes: capabilityAttributes({ config, apiVersions, firstRegistration: savedArn === undefined, taskEni: awsvpc.ok, taskCpuMemLimit: cgroups !== undefined, dockerLogDrivers: version.logDrivers }),
          resources: totalResources(host, config.reservedPorts, config.reservedPortsUdp),
          tags: config.containerInstanceTags,
          log,
        }),
      log,
    );
    const arn = registration.containerInstanceArn;
    store.setMeta('container-instance-arn', arn);
    store.setMeta('cluster-name', config.cluster);
    store.setMeta('agent-version', AGENT_VERSION);
    if (registration.availabilityZone) store.setMeta('availability-zone', registration.availabilityZone);
    log.info({ containerInstanceArn: arn }, 'registered container instance');

    // Task role credentials live in memory only; the metadata server serves them, ACS fills them.
    const taskCredentials = new CredentialsStore();
    // One on-demand stats collector for the metadata /stats endpoints (and TCS).
    const stats = new StatsCollector({ reader: new CgroupReader() });
    const endpoints = parts.add('local endpoints', await startLocalEndpoints({
      config,
      runtime,
      records: () => store.loadTasks(),
      credentials: taskCredentials,
      stats,
      containerInstanceArn: () => arn,
      availabilityZone: () => registration.availabilityZone,
      resourceTags: ecsResourceTags(client),
      taskProtection: ecsTaskProtection(config),
      log,
    }), (e) => e.close());
    // Containers are told where the metadata server is at create (§8.3): hand the engine the real address.
    const engineConfig: AgentConfig = Object.freeze({ ...config, metadataBaseUrl: endpoints.metadataBaseUrl });

    // The reporter confirms sends to the engine, and the engine submits through the reporter.
    const engineRef: { current?: TaskManager } = {};
    const reporter = parts.add('reporter', new Reporter({ client, log, onSent: (change) => engineRef.current?.markSent(change) }), (r) => r.close());
    const enis = awsvpc.ok
      ? parts.add('eni attachments', new EniAttachments({ store, cluster: config.cluster, submit: async (input) => void (await client.send(new SubmitTaskStateChangeCommand(input))), log: log.child({ component: 'eni' }) }), (e) => e.close())
      : undefined;
    const network = awsvpc.ok
      ? new AwsvpcNetwork({ runtime, cluster: config.cluster, pluginDir: config.cniPluginsPath, bridgeName: config.ecsBridgeName, ipamDir: path.join(config.dataDir, 'cni-ipam'), blockImds: config.awsvpcBlockImds, additionalLocalRoutes: config.awsvpcAdditionalLocalRoutes, attachments: enis, log: log.child({ component: 'awsvpc' }) })
      : undefined;
    const engine = parts.add('engine', new TaskManager({
      runtime, store, config: engineConfig, submit: (c) => reporter.submit(c), log, network, cgroups,
      // The registered totals: tasks wait in FIFO order until they fit (§4.4, the newest official behaviour).
      hostTotals: { cpu: host.cpuUnits, memoryMiB: host.memoryMiB, reservedTcp: config.reservedPorts, reservedUdp: config.reservedPortsUdp },
      metadataFiles: config.containerMetadata
        ? new ContainerMetadataFiles({ dataDir: config.dataDir, hostDataDir: config.hostDataDir, cluster: config.cluster, containerInstanceArn: arn, availabilityZone: registration.availabilityZone, hostPrivateIPv4Address: hostPrivateIPv4() })
        : undefined,
      executionCredentials: (taskArn) => {
        const id = taskCredentials.idFor(taskArn, 'TaskExecution');
        return id === undefined ? undefined : taskCredentials.get(id)?.credentials;
      },
      instanceCredentials: credentials,
    }), (e) => e.close());
    engineRef.current = engine;
    await engine.start();

    // One DiscoverPollEndpoint result shared by ACS and TCS (§1.4).
    const pollEndpoints = new PollEndpointCache({ client, cluster: config.cluster, containerInstanceArn: arn });
    const acs = parts.add('acs', new AcsSession({
      client,
      endpoints: pollEndpoints,
      region: config.region,
      credentials,
      cluster: config.cluster,
      containerInstanceArn: arn,
      dockerVersion: version.version,
      timing: { inactivityMs: config.acsInactivityTimeoutMs, giveUpMs: config.acsGiveUpMs },
      context: {
        cluster: config.cluster,
        containerInstanceArn: arn,
        engine,
        reporter,
        credentials: taskCredentials,
        manifest: new ManifestState(store),
        enis,
      },
      // Giving up on ACS ends the agent with exit 1 (transient): the supervisor restarts it.
      onGiveUp: (err) => void fail(err),
      log: log.child({ component: 'acs' }),
    }), (a) => a.close());
    const health = parts.add('health', new HealthWriter({ dataDir: config.dataDir, intervalMs: config.healthIntervalMs, runtime, acs: () => acs.health(), log }), (h) => h.close());

    // Telemetry (§7) reads the same collector on its publish cadence; absent when metrics and health are off.
    const tcs = createTcsSession({
      config, client, credentials, containerInstanceArn: arn, dockerVersion: version.version, runtime, stats, endpoints: pollEndpoints,
      records: () => store.loadTasks(), log: log.child({ component: 'tcs' }),
      ...(metrics ? { onFrame: (d: 'sent' | 'received', ty: string) => metrics.observeTcsFrame(d, ty) } : {}),
    });
    if (tcs) parts.add('tcs', tcs, (s) => s.close());
    metrics?.bind({ records: () => store.loadTasks(), acsConnected: () => acs.health().connected, tcsConnected: () => tcs?.connected ?? false, stats });
    const prometheus = metrics ? parts.add('prometheus', await startPrometheusServer({ registry: metrics.registry, port: config.prometheusPort }), (p) => p.close()) : undefined;

    let resolveDone!: (code: number) => void;
    const done = new Promise<number>((resolve) => (resolveDone = resolve));
    let closing: Promise<void> | undefined;
    // ACS first, so no new work arrives while the rest closes; then everything else, last started first.
    const shutdown = (code: number): Promise<void> => {
      closing ??= (async () => {
        await acs.close();
        await parts.closeAll();
        log.info({ exitCode: code }, 'agent stopped; containers keep running');
        resolveDone(code);
      })();
      return closing;
    };
    /** A failure after startup: shut down like SIGTERM, but exit 1 (transient) or 5 (terminal). */
    const fail = (err: unknown): Promise<void> => {
      log.error({ err }, 'agent failed');
      return shutdown(exitCodeFor(err));
    };
    // A write the store cannot make durable means berth can no longer keep its promises: stop and restart.
    store.onWriteFailure((err) => void fail(err));

    health.start();
    enis?.start();
    acs.start();
    tcs?.start();
    try {
      await abortable(acs.firstConnection, opts.signal);
    } catch (err) {
      await shutdown(1);
      throw err;
    }
    return {
      containerInstanceArn: arn,
      introspectionPort: endpoints.introspectionPort,
      metadataPort: endpoints.metadataPort,
      prometheusPort: prometheus?.port,
      done,
      close: () => shutdown(0),
    };
  } catch (err) {
    await parts.closeAll();
    throw err;
  }
}

/** `promise`, or a rejection as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('startup aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
