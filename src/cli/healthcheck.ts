/**
 * `berth agent --healthcheck`. Two questions, both must be answered yes:
 *  - the official agent's `-healthcheck` (spec §1.1): GET http://localhost:51678/v1/metadata (host overridable with
 *    ECS_AGENT_HEALTHCHECK_HOST, port BERTH_INTROSPECTION_PORT) answers 200;
 *  - the agent's health file (src/agent/health/): connected to ACS recently, Docker answering. The official check
 *    stayed green while the agent was cut off from the control plane or from Docker.
 * When the introspection port is 0 (a random port, tests) only the health file is asked.
 */
import type { AgentConfig } from '../agent/config/config.js';
import { runHealthcheck } from '../agent/health/check.js';

const TIMEOUT_MS = 5000;

export interface HealthcheckResult {
  code: number;
  line: string;
}

export async function metadataHealthcheck(opts: { host: string; port: number; timeoutMs?: number }): Promise<HealthcheckResult> {
  const host = opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host;
  const url = `http://${host}:${opts.port}/v1/metadata`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? TIMEOUT_MS) });
    const body = await res.text();
    if (res.status !== 200) return { code: 1, line: `${url} answered HTTP ${res.status}` };
    let arn: unknown;
    try {
      arn = (JSON.parse(body) as { ContainerInstanceArn?: unknown }).ContainerInstanceArn;
    } catch {
      arn = undefined;
    }
    return { code: 0, line: typeof arn === 'string' ? arn : 'no container instance yet' };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    return { code: 1, line: `${url}: ${cause}` };
  }
}

export async function healthcheck(config: AgentConfig, host: string): Promise<HealthcheckResult> {
  const [metadata, file] = await Promise.all([
    config.introspectionPort === 0 ? undefined : metadataHealthcheck({ host, port: config.introspectionPort }),
    runHealthcheck(config),
  ]);
  const problems = [...(metadata && metadata.code !== 0 ? [metadata.line] : []), ...(file.code !== 0 ? file.lines : [])];
  if (problems.length > 0) return { code: 1, line: `unhealthy: ${problems.join('; ')}` };
  return { code: 0, line: `healthy${metadata ? `: ${metadata.line}` : ''}` };
}
