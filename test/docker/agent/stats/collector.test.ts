import t from 'tap';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { CgroupReader, parseBlkioV1, parseIoStatV2, parseNetDev } from '../../../../src/agent/stats/cgroup.js';
import { StatsCollector, deriveSample, foldWindow } from '../../../../src/agent/stats/collector.js';
import { toDockerStatsJson } from '../../../../src/agent/stats/docker-stats.js';
import type { RawContainerStats } from '../../../../src/agent/stats/cgroup.js';
import { BUSYBOX, docker, removeContainersWithLabel } from '../../../kit/docker.js';

const raw = (at: number, cpuNs: number, extra: Partial<RawContainerStats> = {}): RawContainerStats => ({
  at, cpuNs, memoryUsageBytes: 10 * 1024 * 1024, memoryInactiveFileBytes: 2 * 1024 * 1024, memoryLimitBytes: undefined,
  blkioReadBytes: 100, blkioWriteBytes: 50, networks: undefined, pids: 1, ...extra,
});

t.test('cgroup and /proc text formats parse into counters', async (t) => {
  t.same(parseBlkioV1('8:0 Read 4096\n8:0 Write 512\n8:0 Sync 1\n8:16 Read 4\nTotal 9999\n'), { read: 4100, write: 512 });
  t.same(parseIoStatV2('8:0 rbytes=10 wbytes=20 rios=1 wios=2\n8:16 rbytes=1 wbytes=2\n'), { read: 11, write: 22 });
  const dev = parseNetDev(
    'Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n' +
      '    lo: 100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0\n  eth0: 2000 20 1 2 0 0 0 0 3000 30 3 4 0 0 0 0\n',
  );
  t.same(dev, { eth0: { rxBytes: 2000, rxPackets: 20, rxErrors: 1, rxDropped: 2, txBytes: 3000, txPackets: 30, txErrors: 3, txDropped: 4 } });
});

t.test('CPU is percent of one core over the time between two samples; memory leaves out inactive file cache', async (t) => {
  const first = deriveSample('c', raw(1000, 0), undefined, undefined);
  t.equal(first.cpuPercent, undefined, 'a first sample has no delta');
  t.equal(first.memoryBytes, 8 * 1024 * 1024);
  const second = deriveSample('c', raw(3000, 3e9), first, undefined);
  t.equal(second.cpuPercent, 150, '3 s of CPU in 2 s of wall time is 1.5 cores');
  const sets = foldWindow([first, second])!;
  t.same(sets.cpu, { min: 150, max: 150, sampleCount: 1, sum: 150 });
  t.same(sets.memoryMiB, { min: 8, max: 8, sampleCount: 2, sum: 16 });
  t.same(sets.storage.readSizeBytes, { min: 100, max: 100, sampleCount: 2, sum: 200, overflowMin: 0, overflowMax: 0, overflowSum: 0 });
  t.equal(sets.network, undefined, 'no network set without network counters');
  const json = toDockerStatsJson(second, { onlineCpus: 2 });
  t.match(json, { cpu_stats: { cpu_usage: { total_usage: 3e9 }, online_cpus: 2 }, precpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: { usage: 10 * 1024 * 1024 } });
});

t.test('real containers: a busy loop reads near one core, an idle one near zero, memory matches the cgroup', async (t) => {
  const label = `berth-test-stats-${randomUUID().slice(0, 8)}`;
  t.teardown(() => removeContainersWithLabel('berth-test', label));
  const busy = docker('run', '-d', '--label', `berth-test=${label}`, BUSYBOX, 'sh', '-c', 'while :; do :; done');
  const idle = docker('run', '-d', '--label', `berth-test=${label}`, BUSYBOX, 'sleep', '300');
  const reader = new CgroupReader();
  const collector = new StatsCollector({ reader });
  const targets = [{ dockerId: busy, network: true }, { dockerId: idle, network: true }];
  await collector.sample(targets);
  await new Promise((r) => setTimeout(r, 1500));
  await collector.sample(targets);
  const b = collector.drain(busy)!;
  const i = collector.drain(idle)!;
  // A loaded CI host may give the loop well under a core; it still stands far above sleep.
  t.ok(b.cpu && i.cpu && b.cpu.max > i.cpu.max + 15, `busy container uses far more CPU (${b.cpu?.max}) than an idle one (${i.cpu?.max})`);
  t.ok(i.cpu && i.cpu.max < 5, `idle container uses almost nothing (${i.cpu?.max})`);
  t.ok(i.network && i.network.rxBytes.sampleCount === 2, 'bridge containers carry network counters');
  t.equal(collector.drain(busy), undefined, 'a drained window is empty');

  const version = await reader.version();
  const dir = version === 'v2' ? `/sys/fs/cgroup/system.slice/docker-${idle}.scope` : `/sys/fs/cgroup/memory/docker/${idle}`;
  const usage = Number(readFileSync(`${dir}/${version === 'v2' ? 'memory.current' : 'memory.usage_in_bytes'}`, 'utf8'));
  const stat = readFileSync(`${dir}/memory.stat`, 'utf8');
  const inactive = Number(/^(?:total_)?inactive_file (\d+)$/m.exec(stat)?.[1] ?? 0);
  const sample = await collector.containerStats(idle, { maxAgeMs: 0 });
  t.ok(sample, 'containerStats reads a fresh sample');
  const expected = usage - inactive;
  t.ok(Math.abs(sample!.memoryBytes - expected) <= Math.max(0.05 * expected, 64 * 1024), `memory ${sample!.memoryBytes} ~ cgroup ${expected}`);

  docker('rm', '-f', idle);
  t.equal(await collector.containerStats(idle, { maxAgeMs: 0 }), undefined, 'a removed container has no stats');
});
