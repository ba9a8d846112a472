/**
 * Startup order (spec §1.4): docker version -> store -> saved state checks -> RegisterContainerInstance ->
 * save metadata -> engine (events, reconcile, resume) -> ACS. Shutdown reverses it and leaves containers running.
 */
import { BerthError, isBerthError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { Backoff, sleep } from '../shared/time.js';
import type { AgentConfig } from './config.js';
import { createEcsClient, instanceCredentials } from './api/ecs-api.js';
import { capabilityAttributes, supportedApiVersions } from './registration/attributes.js';
import { readHostResources, totalResources } from './registration/resources.js';
import { registerContainerInstance, type Registration } from './registration/register.js';
import { DockerRuntime } from './runtime/docker.js';
import { StateStore } from './state/store.js';
import { TaskManager } from './engine/task-manager.js';
import { Reporter } from './reporter/reporter.js';
import { AcsSession } from './acs/session.js';
import { CredentialsStore } from './acs/credentials-store.js';
import { AGENT_VERSION } from './version.js';

export interface Agent {
  readonly containerInstanceArn: string;
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

export async function startAgent(opts: { config: AgentConfig; log: Logger }): Promise<Agent> {
  const { config } = opts;
  const log = opts.log.child({ cluster: config.cluster });
  const runtime = new DockerRuntime({ dockerHost: config.dockerHost });
  const startup = AbortSignal.timeout(60_000);
  const version = await runtime.version(startup);
  const apiVersions = supportedApiVersions(version.minApiVersion, version.apiVersion);
  if (!apiVersions.includes('1.21')) {
    throw new BerthError('DockerClientConfigError', `Docker ${version.version} (API ${version.minApiVersion}-${version.apiVersion}) does not support API 1.21`);
  }

  const store = new StateStore({ dataDir: config.checkpoint ? config.dataDir : undefined });
  try {
    const savedCluster = store.getMeta('cluster-name');
    if (savedCluster !== undefined && savedCluster !== config.cluster) {
      throw new BerthError('ClusterMismatchError', `saved state belongs to cluster ${savedCluster}, but ECS_CLUSTER is ${config.cluster}`);
    }
    const savedArn = store.getMeta('container-instance-arn');
    const credentials = instanceCredentials(config, log.child({ component: 'credentials' }));
    const client = createEcsClient(config, credentials);
    const host = await readHostResources(config.reservedMemoryMiB);
    const registration = await registerWithRetry(
      () =>
        registerContainerInstance({
          client,
          cluster: config.cluster,
          clusterConfigured: config.clusterConfigured,
          containerInstanceArn: savedArn,
          attributes: capabilityAttributes({ config, apiVersions, firstRegistration: savedArn === undefined }),
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

    // The reporter confirms sends to the engine, and the engine submits through the reporter.
    const engineRef: { current?: TaskManager } = {};
    const reporter = new Reporter({ client, log, onSent: (change) => engineRef.current?.markSent(change) });
    const engine = new TaskManager({ runtime, store, config, submit: (c) => reporter.submit(c), log });
    engineRef.current = engine;
    await engine.start();

    const acs = new AcsSession({
      client,
      region: config.region,
      credentials,
      cluster: config.cluster,
      containerInstanceArn: arn,
      dockerVersion: version.version,
      inactivityTimeoutMs: config.acsInactivityTimeoutMs,
      context: {
        cluster: config.cluster,
        containerInstanceArn: arn,
        engine,
        reporter,
        credentials: new CredentialsStore(),
        manifest: { lastMessageId: undefined, latestTimeline: 0 },
      },
      log: log.child({ component: 'acs' }),
    });
    acs.start();
    await acs.firstConnection;

    let resolveDone!: (code: number) => void;
    const done = new Promise<number>((resolve) => (resolveDone = resolve));
    let closing: Promise<void> | undefined;
    return {
      containerInstanceArn: arn,
      done,
      close(): Promise<void> {
        closing ??= (async () => {
          await acs.close();
          await engine.close();
          await reporter.close();
          client.destroy();
          store.close();
          await runtime.close();
          log.info('agent stopped; containers keep running');
          resolveDone(0);
        })();
        return closing;
      },
    };
  } catch (err) {
    store.close();
    throw err;
  }
}
