export { AgentMetrics, type AgentMetricsSources } from './registry.js';
export { instrumentEcsClient, instrumentRuntime } from './instrument.js';
export { startPrometheusServer, type PrometheusServer } from './server.js';
