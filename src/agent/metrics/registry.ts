/**
 * The agent's own Prometheus metrics (ECS_ENABLE_PROMETHEUS_METRICS): tasks by status, ACS connection, ECS API
 * latency and errors (SubmitTaskStateChange is the state-change submit latency), Docker call latency and
 * errors, TCS frames, and per-container CPU and memory from the stats collector's latest samples (no extra
 * reads: figures are as fresh as the TCS cadence). Gauges are computed when scraped.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TaskRecord } from '../model/task.js';
import type { StatsCollector } from '../stats/collector.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface AgentMetricsSources {
  records: () => readonly TaskRecord[];
  acsConnected: () => boolean;
  tcsConnected?: () => boolean;
  stats: Pick<StatsCollector, 'latestSample'>;
}

export class AgentMetrics {
  readonly registry = new Registry();
  private sources: AgentMetricsSources | undefined;
  private readonly apiLatency: Histogram<'operation'>;
  private readonly apiErrors: Counter<'operation' | 'error'>;
  private readonly dockerLatency: Histogram<'method'>;
  private readonly dockerErrors: Counter<'method' | 'code'>;
  private readonly tcsFrames: Counter<'direction' | 'type'>;

  constructor() {
    const registers = [this.registry];
    const self = (): AgentMetricsSources | undefined => this.sources;
    this.apiLatency = new Histogram({ name: 'berth_agent_ecs_api_request_duration_seconds', help: 'ECS API calls by operation (SubmitTaskStateChange = state-change submit latency)', labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers });
    this.apiErrors = new Counter({ name: 'berth_agent_ecs_api_errors_total', help: 'Failed ECS API calls by operation and error name', labelNames: ['operation', 'error'], registers });
    this.dockerLatency = new Histogram({ name: 'berth_agent_docker_call_duration_seconds', help: 'Docker calls by runtime method', labelNames: ['method'], buckets: LATENCY_BUCKETS, registers });
    this.dockerErrors = new Counter({ name: 'berth_agent_docker_call_errors_total', help: 'Failed Docker calls by runtime method and error code', labelNames: ['method', 'code'], registers });
    this.tcsFrames = new Counter({ name: 'berth_agent_tcs_frames_total', help: 'TCS frames by direction and type', labelNames: ['direction', 'type'], registers });
    new Gauge({
      name: 'berth_agent_tasks', help: 'Tasks the agent manages, by known status', labelNames: ['status'], registers,
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const r of self()?.records() ?? []) counts.set(r.state.known, (counts.get(r.state.known) ?? 0) + 1);
        for (const [status, n] of counts) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'berth_agent_acs_connected', help: '1 while the ACS websocket is open', registers,
      collect() {
        this.set(self()?.acsConnected() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'berth_agent_tcs_connected', help: '1 while the TCS websocket is open', registers,
      collect() {
        this.set(self()?.tcsConnected?.() ? 1 : 0);
      },
    });
    const perContainer = (name: string, help: string, pick: (s: NonNullable<ReturnType<StatsCollector['latestSample']>>) => number | undefined): void => {
      new Gauge({
        name, help, labelNames: ['task_arn', 'container'], registers,
        collect() {
          this.reset();
          const src = self();
          for (const r of src?.records() ?? []) {
            for (const c of r.state.containers) {
              const s = c.dockerId ? src?.stats.latestSample(c.dockerId) : undefined;
              const v = s ? pick(s) : undefined;
              if (v !== undefined) this.set({ task_arn: r.spec.arn, container: c.name }, v);
            }
          }
        },
      });
    };
    perContainer('berth_agent_container_cpu_percent', 'CPU (percent of one core) between the last two samples', (s) => s.cpuPercent);
    perContainer('berth_agent_container_memory_bytes', 'Memory (usage minus inactive file cache) at the last sample', (s) => s.memoryBytes);
  }

  /** Sources are bound once the agent has built them (after registration). */
  bind(sources: AgentMetricsSources): void {
    this.sources = sources;
  }

  observeApi(operation: string, seconds: number, error: string | undefined): void {
    this.apiLatency.observe({ operation }, seconds);
    if (error !== undefined) this.apiErrors.inc({ operation, error });
  }

  observeDocker(method: string, seconds: number, errorCode: string | undefined): void {
    this.dockerLatency.observe({ method }, seconds);
    if (errorCode !== undefined) this.dockerErrors.inc({ method, code: errorCode });
  }

  observeTcsFrame(direction: 'sent' | 'received', type: string): void {
    this.tcsFrames.inc({ direction, type });
  }
}
