import type WebSocket from 'ws';
import type { Logger } from '../../../shared/log.js';
import type { HealthStatus, StatsSet, TelemetryStore } from './telemetry.js';
import { realClock, type Clock } from '../../../shared/clock.js';
import { parseTcsAgentFrame, type TcsAgentFrame } from '../../../shared/protocol/tcs.js';

/** Which ack answers which publish request (tcs-api-2.json). */
const ACKS: Readonly<Record<string, string>> = {
  PublishMetricsRequest: 'AckPublishMetric',
  PublishHealthRequest: 'AckPublishHealth',
  PublishInstanceStatusRequest: 'AckPublishInstanceStatus',
};

const list = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const set = (v: unknown): StatsSet | undefined => (typeof v === 'object' && v !== null ? (v as StatsSet) : undefined);
const HEALTH = new Set(['HEALTHY', 'UNHEALTHY', 'UNKNOWN']);

/** Files a publish into the store. `instanceArn` is the connection's (the query), not the message's claim. */
export function recordPublish(store: TelemetryStore, instanceArn: string, env: TcsAgentFrame, now: number): void {
  store.count(env.type);
  const m = env.message;
  if (env.type === 'PublishMetricsRequest') {
    for (const t of list(m['taskMetrics'])) {
      store.putTaskMetrics({
        taskArn: str(t['taskArn']),
        instanceArn,
        family: str(t['taskDefinitionFamily']),
        version: str(t['taskDefinitionVersion']),
        receivedAt: now,
        containers: list(t['containerMetrics']).map((c) => {
          const net = set(c['networkStatsSet']) as Record<string, unknown> | undefined;
          return {
            containerName: str(c['containerName']),
            cpu: set(c['cpuStatsSet']),
            memory: set(c['memoryStatsSet']),
            rxBytesPerSecond: set(net?.['rxBytesPerSecond']),
            txBytesPerSecond: set(net?.['txBytesPerSecond']),
          };
        }),
      });
    }
  } else if (env.type === 'PublishHealthRequest') {
    for (const t of list(m['tasks'])) {
      for (const c of list(t['containers'])) {
        const status = str(c['healthStatus']);
        if (!HEALTH.has(status)) continue;
        const since = typeof c['statusSince'] === 'number' ? c['statusSince'] * 1000 : undefined;
        store.putContainerHealth(str(t['taskArn']), str(c['containerName']), status as HealthStatus, since);
      }
    }
  } else if (env.type === 'PublishInstanceStatusRequest') {
    store.putInstanceStatus({
      instanceArn,
      receivedAt: now,
      statuses: list(m['statuses']).map((s) => ({ type: str(s['type']), status: str(s['status']) })),
    });
  }
}

export interface ServeTcsOptions {
  heartbeatIntervalMs: number;
  log: Logger;
  /** Where publishes are kept; without one they are only acknowledged. */
  telemetry?: TelemetryStore;
  /** The containerInstance of the connection's query. */
  instanceArn?: string;
  clock?: Clock;
}

/** Acknowledges every publish, files it in the telemetry store, and keeps the agent's keepalive timer fed. */
export function serveTcs(ws: WebSocket, opts: ServeTcsOptions): void {
  const clock = opts.clock ?? realClock;
  const heartbeat = clock.setInterval(() => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'HeartbeatMessage', message: { healthy: true } }));
  }, opts.heartbeatIntervalMs);
  ws.on('message', (data, isBinary) => {
    const env = isBinary ? undefined : parseTcsAgentFrame(data.toString());
    const ack = env ? ACKS[env.type] : undefined;
    if (!env || !ack) {
      opts.log.debug({ type: env?.type }, 'ignoring tcs frame');
      return;
    }
    if (opts.telemetry) {
      try {
        recordPublish(opts.telemetry, opts.instanceArn ?? '', env, clock.now());
      } catch (err) {
        opts.log.warn({ err, type: env.type }, 'tcs publish not recorded');
      }
    }
    ws.send(JSON.stringify({ type: ack, message: { message: 'ok' } }));
  });
  ws.on('close', () => clock.clearInterval(heartbeat));
  ws.on('error', (err) => opts.log.debug({ err }, 'tcs socket error'));
}
