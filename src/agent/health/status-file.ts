/**
 * The agent's health, where `berth agent --healthcheck` can read it without a port: <ECS_DATADIR>/berth-health.json,
 * rewritten every BERTH_HEALTH_INTERVAL (atomically: temp file + rename; mode 0600). It records whether ACS is
 * connected (and since when) and whether Docker answered the last ping. The official check only asked the
 * introspection server, so it stayed green while the agent was cut off from the control plane or from Docker.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../shared/log.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import { realClock, type TimerHandle } from '../../shared/clock.js';

export const HEALTH_FILE = 'berth-health.json';
const PING_TIMEOUT_MS = 5000;

export interface HealthSnapshot {
  pid: number;
  writtenAt: number;
  intervalMs: number;
  /** false once the agent shut down cleanly. */
  running: boolean;
  acs: { connected: boolean; since: number };
  docker: { reachable: boolean; since: number; error?: string };
}

export interface HealthVerdict {
  ok: boolean;
  problems: string[];
}

/** Pure: is the agent that wrote `s` healthy at `now`? */
export function evaluateHealth(s: HealthSnapshot | undefined, now: number, opts: { acsLimitMs: number }): HealthVerdict {
  if (!s) return { ok: false, problems: ['no health file: the agent is not running'] };
  const problems: string[] = [];
  if (!s.running) problems.push('the agent has stopped');
  else if (now - s.writtenAt > 3 * s.intervalMs + 1000) problems.push(`health file is stale (${Math.round((now - s.writtenAt) / 1000)}s old)`);
  if (!s.acs.connected && now - s.acs.since > opts.acsLimitMs) {
    problems.push(`disconnected from ACS for ${Math.round((now - s.acs.since) / 1000)}s`);
  }
  if (!s.docker.reachable) problems.push(`docker unreachable since ${new Date(s.docker.since).toISOString()}${s.docker.error ? `: ${s.docker.error}` : ''}`);
  return { ok: problems.length === 0, problems };
}

export function readHealth(dataDir: string): HealthSnapshot | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, HEALTH_FILE), 'utf8')) as HealthSnapshot;
  } catch {
    return undefined;
  }
}

export class HealthWriter {
  private timer: TimerHandle | undefined;
  private docker: HealthSnapshot['docker'];
  private closed = false;
  private tick: Promise<void> = Promise.resolve();

  constructor(
    private readonly opts: {
      dataDir: string;
      intervalMs: number;
      runtime: ContainerRuntime;
      acs: () => { connected: boolean; since: number };
      log: Logger;
    },
  ) {
    this.docker = { reachable: true, since: realClock.now() };
  }

  start(): void {
    mkdirSync(this.opts.dataDir, { recursive: true, mode: 0o700 });
    this.write(true);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = realClock.setTimeout(() => {
      this.tick = this.refresh().finally(() => this.schedule());
    }, this.opts.intervalMs);
  }

  private async refresh(): Promise<void> {
    try {
      await this.opts.runtime.version(AbortSignal.timeout(PING_TIMEOUT_MS));
      if (!this.docker.reachable) this.docker = { reachable: true, since: realClock.now() };
    } catch (err) {
      const error = (err as Error).message ?? String(err);
      this.docker = this.docker.reachable ? { reachable: false, since: realClock.now(), error } : { ...this.docker, error };
    }
    if (!this.closed) this.write(true);
  }

  private write(running: boolean): void {
    const snapshot: HealthSnapshot = {
      pid: process.pid,
      writtenAt: realClock.now(),
      intervalMs: this.opts.intervalMs,
      running,
      acs: this.opts.acs(),
      docker: this.docker,
    };
    const file = path.join(this.opts.dataDir, HEALTH_FILE);
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(snapshot), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    } catch (err) {
      this.opts.log.warn({ err }, 'cannot write the health file');
    }
  }

  /** Marks the agent stopped in the file (a stopped agent is unhealthy). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    realClock.clearTimeout(this.timer);
    await this.tick;
    this.write(false);
  }
}
