/** Builds the agent's TCS session from config (spec §7); undefined when metrics and health are both disabled. */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { Logger } from '../../shared/log.js';
import type { Credentials } from '../api/ecs-api.js';
import type { AgentConfig } from '../config/config.js';
import type { TaskRecord } from '../model/task.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { StatsCollector } from '../stats/collector.js';
import { PollEndpointCache } from '../api/poll-endpoints.js';
import { TcsSession } from './session.js';
import { TelemetrySource } from './source.js';
import type { TaskMetric } from '../../shared/protocol/tcs.js';

export { TcsSession } from './session.js';
export { PollEndpointCache } from '../api/poll-endpoints.js';

export interface TelemetryOptions {
  config: AgentConfig;
  client: ECSClient;
  credentials: Credentials;
  containerInstanceArn: string;
  dockerVersion: string | undefined;
  runtime: Pick<ContainerRuntime, 'inspectContainer' | 'version'>;
  stats: StatsCollector;
  records: () => readonly TaskRecord[];
  /** The agent's shared DiscoverPollEndpoint cache; one is made when absent (tests). */
  endpoints?: PollEndpointCache;
  onTaskMetric?: (m: TaskMetric) => void;
  onFrame?: (direction: 'sent' | 'received', type: string) => void;
  log: Logger;
}

export function createTcsSession(opts: TelemetryOptions): TcsSession | undefined {
  const { config } = opts;
  if (config.disableMetrics && config.disableDockerHealthCheck) {
    opts.log.info('TCS not started: ECS_DISABLE_METRICS and ECS_DISABLE_DOCKER_HEALTH_CHECK are both set');
    return undefined;
  }
  const producer = new TelemetrySource({
    cluster: config.cluster,
    containerInstance: opts.containerInstanceArn,
    tasks: opts.records,
    collector: opts.stats,
    runtime: opts.runtime,
    pollMetrics: config.pollMetrics,
    ...(opts.onTaskMetric ? { onTaskMetric: opts.onTaskMetric } : {}),
  });
  return new TcsSession({
    endpoints:
      opts.endpoints ??
      new PollEndpointCache({ client: opts.client, cluster: config.cluster, containerInstanceArn: opts.containerInstanceArn }),
    region: config.region,
    credentials: opts.credentials,
    cluster: config.cluster,
    containerInstanceArn: opts.containerInstanceArn,
    dockerVersion: opts.dockerVersion,
    producer,
    publishMetrics: !config.disableMetrics,
    publishHealth: !config.disableDockerHealthCheck,
    publishIntervalMs: config.tcsPublishIntervalMs,
    pollIntervalMs: config.pollMetrics ? Math.min(config.pollingMetricsWaitMs, config.tcsPublishIntervalMs) : undefined,
    ...(opts.onFrame ? { onFrame: opts.onFrame } : {}),
    log: opts.log,
  });
}
