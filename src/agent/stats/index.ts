/** The agent's stats collector: cgroup files read on demand; see collector.ts. */
export { CgroupReader, type RawContainerStats, type NetworkCounters, type CgroupVersion } from './cgroup.js';
export { StatsCollector, type StatsProvider, type ContainerStatsSample, type ContainerStatsSets, type StatsTarget } from './collector.js';
export { toDockerStatsJson } from './docker-stats.js';
