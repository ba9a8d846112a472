/**
 * The one stats collector of the agent, shared by TCS and the task metadata /stats endpoints. It reads on
 * demand only (the TCS publish or polling cadence, or a metadata request): never a stream per container.
 * Every read is a sample; CPU percent and network rates come from the delta to the container's previous
 * sample, and samples accumulate in a window that TCS drains into StatsSets once per publish.
 */
import { readFileSync } from 'node:fs';
import type { CgroupReader, NetworkCounters, RawContainerStats } from './cgroup.js';
import { cwStatsSet, ulongStatsSet, type CWStatsSet, type ULongStatsSet } from './stats-set.js';
import { realClock } from '../../shared/clock.js';

export interface ContainerStatsSample {
  dockerId: string;
  raw: RawContainerStats;
  /** The sample before this one, when there was one: the base of the deltas below. */
  previous: RawContainerStats | undefined;
  /** Host CPU time (all cores, ns) when the sample was read and at the previous one: Docker's system_cpu_usage. */
  systemCpuNs: number | undefined;
  previousSystemCpuNs: number | undefined;
  /** Percent of one core since the previous sample (200 = two cores busy); undefined for a first sample. */
  cpuPercent: number | undefined;
  /** Usage minus inactive file cache, like `docker stats`. */
  memoryBytes: number;
  rxBytesPerSecond: number | undefined;
  txBytesPerSecond: number | undefined;
}

/** What other parts of the agent (task metadata /stats) call. */
export interface StatsProvider {
  /**
   * The container's latest sample, read fresh when the latest is older than `maxAgeMs` (default 1s).
   * undefined when the container has no readable cgroup (not running, or gone).
   */
  containerStats(dockerId: string, opts?: { network?: boolean; maxAgeMs?: number }): Promise<ContainerStatsSample | undefined>;
}

export interface NetworkStatsSets {
  rxBytes: ULongStatsSet; rxPackets: ULongStatsSet; rxErrors: ULongStatsSet; rxDropped: ULongStatsSet;
  txBytes: ULongStatsSet; txPackets: ULongStatsSet; txErrors: ULongStatsSet; txDropped: ULongStatsSet;
  rxBytesPerSecond: CWStatsSet | undefined;
  txBytesPerSecond: CWStatsSet | undefined;
}

/** One container's window, folded. cpu is undefined until two samples exist. */
export interface ContainerStatsSets {
  cpu: CWStatsSet | undefined;
  memoryMiB: CWStatsSet;
  storage: { readSizeBytes: ULongStatsSet; writeSizeBytes: ULongStatsSet };
  network: NetworkStatsSets | undefined;
}

const MiB = 1024 * 1024;
const WINDOW_MAX = 64;
const NET_KEYS = ['rxBytes', 'rxPackets', 'rxErrors', 'rxDropped', 'txBytes', 'txPackets', 'txErrors', 'txDropped'] as const;

export function sumNetworks(nets: Record<string, NetworkCounters>): NetworkCounters {
  const total: NetworkCounters = { rxBytes: 0, rxPackets: 0, rxErrors: 0, rxDropped: 0, txBytes: 0, txPackets: 0, txErrors: 0, txDropped: 0 };
  for (const n of Object.values(nets)) for (const k of NET_KEYS) total[k] += n[k];
  return total;
}

/** Pure: the derived figures of a sample given the previous one. */
export function deriveSample(dockerId: string, raw: RawContainerStats, previous: ContainerStatsSample | undefined, systemCpuNs: number | undefined): ContainerStatsSample {
  const prev = previous?.raw;
  const dt = prev ? raw.at - prev.at : 0;
  const cpuPercent = prev && dt > 0 ? Math.max(0, (100 * (raw.cpuNs - prev.cpuNs)) / (dt * 1e6)) : undefined;
  let rx: number | undefined;
  let tx: number | undefined;
  if (prev?.networks && raw.networks && dt > 0) {
    const a = sumNetworks(prev.networks);
    const b = sumNetworks(raw.networks);
    rx = Math.max(0, ((b.rxBytes - a.rxBytes) * 1000) / dt);
    tx = Math.max(0, ((b.txBytes - a.txBytes) * 1000) / dt);
  }
  return {
    dockerId,
    raw,
    previous: prev,
    systemCpuNs,
    previousSystemCpuNs: previous?.systemCpuNs,
    cpuPercent,
    memoryBytes: Math.max(0, raw.memoryUsageBytes - (raw.memoryInactiveFileBytes < raw.memoryUsageBytes ? raw.memoryInactiveFileBytes : 0)),
    rxBytesPerSecond: rx,
    txBytesPerSecond: tx,
  };
}

/** Pure: folds a window of samples into the TCS StatsSets. */
export function foldWindow(samples: readonly ContainerStatsSample[]): ContainerStatsSets | undefined {
  const memoryMiB = cwStatsSet(samples.map((s) => s.memoryBytes / MiB));
  if (!memoryMiB) return undefined;
  const cpu = cwStatsSet(samples.flatMap((s) => (s.cpuPercent === undefined ? [] : [s.cpuPercent])));
  const storage = {
    readSizeBytes: ulongStatsSet(samples.map((s) => s.raw.blkioReadBytes))!,
    writeSizeBytes: ulongStatsSet(samples.map((s) => s.raw.blkioWriteBytes))!,
  };
  const withNet = samples.filter((s) => s.raw.networks !== undefined);
  let network: NetworkStatsSets | undefined;
  if (withNet.length > 0) {
    const totals = withNet.map((s) => sumNetworks(s.raw.networks!));
    const sets = Object.fromEntries(NET_KEYS.map((k) => [k, ulongStatsSet(totals.map((n) => n[k]))!])) as Record<(typeof NET_KEYS)[number], ULongStatsSet>;
    network = {
      ...sets,
      rxBytesPerSecond: cwStatsSet(withNet.flatMap((s) => (s.rxBytesPerSecond === undefined ? [] : [s.rxBytesPerSecond]))),
      txBytesPerSecond: cwStatsSet(withNet.flatMap((s) => (s.txBytesPerSecond === undefined ? [] : [s.txBytesPerSecond]))),
    };
  }
  return { cpu, memoryMiB, storage, network };
}

/** /proc/stat's first line, in ns (USER_HZ is 100 on Linux). */
async function readSystemCpuNs(procRoot: string): Promise<number | undefined> {
  try {
    const line = readFileSync(`${procRoot}/stat`, 'utf8').split('\n', 1)[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1, 8).reduce((a, v) => a + Number(v), 0);
    return ticks * 1e7;
  } catch {
    return undefined;
  }
}

export interface StatsTarget {
  dockerId: string;
  /** Read the network namespace's counters (bridge / awsvpc tasks; not host or none). */
  network: boolean;
}

export class StatsCollector implements StatsProvider {
  private readonly latest = new Map<string, ContainerStatsSample>();
  private readonly windows = new Map<string, ContainerStatsSample[]>();

  constructor(private readonly opts: { reader: CgroupReader; procRoot?: string }) {}

  /** Reads one sample of each target (concurrently) into its window; containers not listed are forgotten. */
  async sample(targets: readonly StatsTarget[]): Promise<void> {
    const keep = new Set(targets.map((t) => t.dockerId));
    for (const id of this.latest.keys()) if (!keep.has(id)) this.forget(id);
    const system = await readSystemCpuNs(this.opts.procRoot ?? '/proc');
    await Promise.all(targets.map((t) => this.read(t.dockerId, t.network, system)));
  }

  private async read(dockerId: string, network: boolean, systemCpuNs: number | undefined): Promise<ContainerStatsSample | undefined> {
    const raw = await this.opts.reader.read(dockerId, { network });
    if (!raw) {
      this.forget(dockerId);
      return undefined;
    }
    const sample = deriveSample(dockerId, raw, this.latest.get(dockerId), systemCpuNs);
    this.latest.set(dockerId, sample);
    const win = this.windows.get(dockerId) ?? [];
    win.push(sample);
    if (win.length > WINDOW_MAX) win.shift();
    this.windows.set(dockerId, win);
    return sample;
  }

  /** Folds and empties the container's window; the latest sample stays as the base of the next delta. */
  drain(dockerId: string): ContainerStatsSets | undefined {
    const win = this.windows.get(dockerId);
    this.windows.delete(dockerId);
    return win ? foldWindow(win) : undefined;
  }

  latestSample(dockerId: string): ContainerStatsSample | undefined {
    return this.latest.get(dockerId);
  }

  async containerStats(dockerId: string, opts: { network?: boolean; maxAgeMs?: number } = {}): Promise<ContainerStatsSample | undefined> {
    const last = this.latest.get(dockerId);
    if (last && realClock.now() - last.raw.at < (opts.maxAgeMs ?? 1000)) return last;
    return this.read(dockerId, opts.network ?? true, await readSystemCpuNs(this.opts.procRoot ?? '/proc'));
  }

  forget(dockerId: string): void {
    this.latest.delete(dockerId);
    this.windows.delete(dockerId);
  }
}
