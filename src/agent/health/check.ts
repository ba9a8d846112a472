/**
 * `berth agent --healthcheck`: 0 when the running agent is connected to ACS (or has been disconnected for
 * less than BERTH_HEALTHCHECK_ACS_LIMIT) and Docker answers; 1 otherwise, with one line per problem.
 */
import type { AgentConfig } from '../config/config.js';
import { DockerRuntime } from '../runtime/docker.js';
import { evaluateHealth, readHealth } from './status-file.js';
import { realClock } from '../../shared/clock.js';

export async function runHealthcheck(config: AgentConfig): Promise<{ code: number; lines: string[] }> {
  const verdict = evaluateHealth(readHealth(config.dataDir), realClock.now(), { acsLimitMs: config.healthcheckAcsLimitMs });
  const problems = [...verdict.problems];
  const runtime = new DockerRuntime({ dockerHost: config.dockerHost });
  try {
    await runtime.version(AbortSignal.timeout(5000));
  } catch (err) {
    if (!problems.some((p) => p.startsWith('docker'))) problems.push(`docker unreachable at ${config.dockerHost}: ${(err as Error).message}`);
  } finally {
    await runtime.close();
  }
  return problems.length === 0 ? { code: 0, lines: ['healthy'] } : { code: 1, lines: problems };
}
