/**
 * The emulator's Prometheus metrics (GET /metrics): API requests by operation and error, connected agents,
 * tasks by status, and the per-task figures received over TCS. Gauges are computed when scraped, so nothing
 * has to be kept in step with the store.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EcsStore } from '../ecs/store.js';
import type { TelemetryStore } from '../ecs/tcs/telemetry.js';

export interface EmulatorMetricsOptions {
  store: Pick<EcsStore, 'listClusters' | 'listInstances' | 'listTasks'>;
  telemetry: TelemetryStore;
  isConnected: (instanceArn: string) => boolean;
}

const avg = (s: { sum?: number; sampleCount?: number } | undefined): number | undefined =>
  s && typeof s.sum === 'number' && typeof s.sampleCount === 'number' && s.sampleCount > 0 ? s.sum / s.sampleCount : undefined;

export class EmulatorMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'operation' | 'error'>;
  private readonly latency: Histogram<'operation'>;

  constructor(opts: EmulatorMetricsOptions) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'berth_emulator_api_requests_total',
      help: 'ECS API requests by operation and error type ("" when it succeeded)',
      labelNames: ['operation', 'error'],
      registers,
    });
    this.latency = new Histogram({
      name: 'berth_emulator_api_request_duration_seconds',
      help: 'ECS API request handling time',
      labelNames: ['operation'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers,
    });
    new Gauge({
      name: 'berth_emulator_connected_instances',
      help: 'Container instances with an open ACS connection',
      registers,
      collect() {
        let n = 0;
        for (const c of opts.store.listClusters()) for (const i of opts.store.listInstances(c.name)) if (opts.isConnected(i.arn)) n++;
        this.set(n);
      },
    });
    new Gauge({
      name: 'berth_emulator_tasks',
      help: 'Tasks by cluster and last status',
      labelNames: ['cluster', 'status'],
      registers,
      collect() {
        this.reset();
        for (const c of opts.store.listClusters()) {
          const counts = new Map<string, number>();
          for (const t of opts.store.listTasks(c.name)) counts.set(t.lastStatus, (counts.get(t.lastStatus) ?? 0) + 1);
          for (const [status, n] of counts) this.set({ cluster: c.name, status }, n);
        }
      },
    });
    new Gauge({
      name: 'berth_emulator_tcs_publishes',
      help: 'TCS publish messages received, by type',
      labelNames: ['type'],
      registers,
      collect() {
        for (const [type, n] of opts.telemetry.received) this.set({ type }, n);
      },
    });
    const perContainer = (name: string, help: string, pick: (c: ReturnType<TelemetryStore['taskMetrics']>[number]['containers'][number]) => number | undefined): void => {
      new Gauge({
        name,
        help,
        labelNames: ['task_arn', 'container', 'family'],
        registers,
        collect() {
          this.reset();
          for (const t of opts.telemetry.taskMetrics()) {
            for (const c of t.containers) {
              const v = pick(c);
              if (v !== undefined) this.set({ task_arn: t.taskArn, container: c.containerName, family: t.family }, v);
            }
          }
        },
      });
    };
    perContainer('berth_emulator_task_cpu_percent', 'Average CPU (percent of one core) in the last TCS window', (c) => avg(c.cpu));
    perContainer('berth_emulator_task_memory_mib', 'Average memory (MiB) in the last TCS window', (c) => avg(c.memory));
    perContainer('berth_emulator_task_rx_bytes_per_second', 'Average receive rate in the last TCS window', (c) => avg(c.rxBytesPerSecond));
    perContainer('berth_emulator_task_tx_bytes_per_second', 'Average transmit rate in the last TCS window', (c) => avg(c.txBytesPerSecond));
  }

  observeApi(operation: string, error: string | undefined, seconds: number): void {
    this.requests.inc({ operation: operation || 'unknown', error: error ?? '' });
    this.latency.observe({ operation: operation || 'unknown' }, seconds);
  }

  async serve(_req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.registry.metrics();
    res.writeHead(200, { 'Content-Type': this.registry.contentType, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }
}
