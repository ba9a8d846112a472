import type { DockerConfig } from '../../shared/protocol/acs.js';

/**
 * Container definition members ACS carries only inside `dockerConfig` (Docker Engine API Config/HostConfig
 * as JSON strings, spec §3.4). Returns undefined when nothing needs it, like the transcript's bridge tasks.
 */
interface DefinitionForDocker {
  memoryReservation?: number;
  privileged?: boolean;
  user?: string;
  workingDirectory?: string;
  hostname?: string;
  dockerLabels?: Record<string, string>;
  ulimits?: { name?: string; softLimit?: number; hardLimit?: number }[];
  logConfiguration?: { logDriver?: string; options?: Record<string, string> };
  healthCheck?: { command?: string[]; interval?: number; timeout?: number; retries?: number; startPeriod?: number };
  readonlyRootFilesystem?: boolean;
  dnsServers?: string[];
  extraHosts?: { hostname?: string; ipAddress?: string }[];
}

const SECOND_NS = 1_000_000_000;
const MIB = 1024 * 1024;

export function dockerConfigFor(def: DefinitionForDocker, networkMode: string): DockerConfig | undefined {
  const config: Record<string, unknown> = {};
  const host: Record<string, unknown> = {};
  if (networkMode === 'host' || networkMode === 'none') host['NetworkMode'] = networkMode;
  if (def.memoryReservation !== undefined) host['MemoryReservation'] = def.memoryReservation * MIB;
  if (def.privileged) host['Privileged'] = true;
  if (def.readonlyRootFilesystem) host['ReadonlyRootfs'] = true;
  if (def.dnsServers?.length) host['Dns'] = def.dnsServers;
  if (def.extraHosts?.length) host['ExtraHosts'] = def.extraHosts.map((h) => `${h.hostname}:${h.ipAddress}`);
  if (def.ulimits?.length) {
    host['Ulimits'] = def.ulimits.map((u) => ({ Name: u.name, Soft: u.softLimit, Hard: u.hardLimit }));
  }
  if (def.logConfiguration?.logDriver) {
    host['LogConfig'] = { Type: def.logConfiguration.logDriver, Config: def.logConfiguration.options ?? {} };
  }
  if (def.user) config['User'] = def.user;
  if (def.workingDirectory) config['WorkingDir'] = def.workingDirectory;
  if (def.hostname) config['Hostname'] = def.hostname;
  if (def.dockerLabels) config['Labels'] = def.dockerLabels;
  if (def.healthCheck?.command) {
    const hc = def.healthCheck;
    config['Healthcheck'] = {
      Test: hc.command,
      Interval: (hc.interval ?? 30) * SECOND_NS,
      Timeout: (hc.timeout ?? 5) * SECOND_NS,
      Retries: hc.retries ?? 3,
      StartPeriod: (hc.startPeriod ?? 0) * SECOND_NS,
    };
  }
  if (Object.keys(config).length === 0 && Object.keys(host).length === 0) return undefined;
  return { version: '1.17', config: JSON.stringify(config), hostConfig: JSON.stringify(host) };
}
