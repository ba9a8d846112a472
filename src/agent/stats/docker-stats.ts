/**
 * A collector sample in Docker's StatsJSON shape (what `GET /containers/<id>/stats?stream=false` returns), for the
 * task metadata /stats endpoints (spec §8.2), so they can answer without asking dockerd.
 */
import { cpus } from 'node:os';
import type { ContainerStatsSample } from './collector.js';

const iso = (ms: number | undefined): string => (ms === undefined ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString());

export function toDockerStatsJson(s: ContainerStatsSample, opts: { name?: string; onlineCpus?: number } = {}): Record<string, unknown> {
  const online = opts.onlineCpus ?? cpus().length;
  const cpuStats = (cpuNs: number | undefined, systemNs: number | undefined): Record<string, unknown> => ({
    cpu_usage: { total_usage: cpuNs ?? 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: systemNs ?? 0,
    online_cpus: online,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  });
  const r = s.raw;
  const networks = r.networks
    ? Object.fromEntries(
        Object.entries(r.networks).map(([k, n]) => [
          k,
          {
            rx_bytes: n.rxBytes, rx_packets: n.rxPackets, rx_errors: n.rxErrors, rx_dropped: n.rxDropped,
            tx_bytes: n.txBytes, tx_packets: n.txPackets, tx_errors: n.txErrors, tx_dropped: n.txDropped,
          },
        ]),
      )
    : undefined;
  return {
    read: iso(r.at),
    preread: iso(s.previous?.at),
    name: opts.name === undefined ? undefined : `/${opts.name}`,
    id: s.dockerId,
    pids_stats: r.pids === undefined ? {} : { current: r.pids },
    blkio_stats: {
      io_service_bytes_recursive: [
        { major: 0, minor: 0, op: 'Read', value: r.blkioReadBytes },
        { major: 0, minor: 0, op: 'Write', value: r.blkioWriteBytes },
      ],
    },
    cpu_stats: cpuStats(r.cpuNs, s.systemCpuNs),
    precpu_stats: cpuStats(s.previous?.cpuNs, s.previousSystemCpuNs),
    memory_stats: {
      usage: r.memoryUsageBytes,
      limit: r.memoryLimitBytes ?? 0,
      stats: { total_inactive_file: r.memoryInactiveFileBytes, inactive_file: r.memoryInactiveFileBytes },
    },
    ...(networks ? { networks } : {}),
  };
}
