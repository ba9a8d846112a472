/**
 * DiscoverPollEndpoint results, cached 12h per container instance with the stale value used when a refresh
 * fails (spec §2.2). One cache serves both ACS and TCS (§1.4: one call whose result both share); concurrent
 * callers share one request. A missing telemetryEndpoint is an error for TCS only.
 */
import { DiscoverPollEndpointCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { realClock, type Clock } from '../../shared/clock.js';

const CACHE_MS = 12 * 3600_000;

export interface PollEndpoints {
  endpoint: string;
  telemetryEndpoint: string | undefined;
}

export class PollEndpointCache {
  private cached: { value: PollEndpoints; at: number } | undefined;
  private inflight: Promise<PollEndpoints> | undefined;

  constructor(private readonly opts: { client: ECSClient; cluster: string; containerInstanceArn: string; clock?: Clock }) {}

  async get(signal?: AbortSignal): Promise<PollEndpoints> {
    const now = (this.opts.clock ?? realClock).now();
    const cached = this.cached;
    if (cached && now - cached.at < CACHE_MS) return cached.value;
    this.inflight ??= this.refresh(now, signal).finally(() => (this.inflight = undefined));
    try {
      return await this.inflight;
    } catch (err) {
      if (cached) return cached.value;
      throw err;
    }
  }

  async telemetryEndpoint(signal?: AbortSignal): Promise<string> {
    const { telemetryEndpoint } = await this.get(signal);
    if (!telemetryEndpoint) throw new Error('DiscoverPollEndpoint returned no telemetryEndpoint');
    return telemetryEndpoint;
  }

  private async refresh(now: number, signal: AbortSignal | undefined): Promise<PollEndpoints> {
    const out = await this.opts.client.send(
      new DiscoverPollEndpointCommand({ containerInstance: this.opts.containerInstanceArn, cluster: this.opts.cluster }),
      signal ? { abortSignal: signal } : {},
    );
    if (!out.endpoint) throw new Error('DiscoverPollEndpoint returned no endpoint');
    const value = { endpoint: out.endpoint, telemetryEndpoint: out.telemetryEndpoint };
    this.cached = { value, at: now };
    return value;
  }
}
