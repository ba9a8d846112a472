import type { DockerConfig } from '../../../shared/protocol/acs.js';

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
  dnsSearchDomains?: string[];
  disableNetworking?: boolean;
  interactive?: boolean;
  pseudoTerminal?: boolean;
  dockerSecurityOptions?: string[];
  systemControls?: { namespace?: string; value?: string }[];
  linuxParameters?: LinuxParameters;
}

interface LinuxParameters {
  capabilities?: { add?: string[]; drop?: string[] };
  initProcessEnabled?: boolean;
  sharedMemorySize?: number;
  tmpfs?: { containerPath?: string; size?: number; mountOptions?: string[] }[];
  devices?: { hostPath?: string; containerPath?: string; permissions?: string[] }[];
  maxSwap?: number;
  swappiness?: number;
}

/** linuxParameters as the v1.72 agent receives them: inside HostConfig (the ACS model's own member is newer). */
function applyLinuxParameters(lp: LinuxParameters, host: Record<string, unknown>): void {
  if (lp.capabilities?.add?.length) host['CapAdd'] = lp.capabilities.add;
  if (lp.capabilities?.drop?.length) host['CapDrop'] = lp.capabilities.drop;
  if (lp.initProcessEnabled) host['Init'] = true;
  if (lp.sharedMemorySize !== undefined) host['ShmSize'] = lp.sharedMemorySize * MIB;
  if (lp.tmpfs?.length) {
    host['Tmpfs'] = Object.fromEntries(
      lp.tmpfs.map((t) => [t.containerPath ?? '', [`size=${t.size ?? 0}m`, ...(t.mountOptions ?? [])].join(',')]),
    );
  }
  if (lp.devices?.length) {
    host['Devices'] = lp.devices.map((d) => ({
      PathOnHost: d.hostPath,
      PathInContainer: d.containerPath ?? d.hostPath,
      CgroupPermissions: (d.permissions ?? ['read', 'write', 'mknod']).map((p) => p[0]).join(''),
    }));
  }
  if (lp.maxSwap !== undefined) host['MemorySwap'] = lp.maxSwap * MIB;
  if (lp.swappiness !== undefined) host['MemorySwappiness'] = lp.swappiness;
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
  if (def.dnsSearchDomains?.length) host['DnsSearch'] = def.dnsSearchDomains;
  if (def.dockerSecurityOptions?.length) host['SecurityOpt'] = def.dockerSecurityOptions;
  if (def.systemControls?.length) {
    host['Sysctls'] = Object.fromEntries(def.systemControls.map((c) => [c.namespace ?? '', c.value ?? '']));
  }
  if (def.linuxParameters) applyLinuxParameters(def.linuxParameters, host);
  if (def.ulimits?.length) {
    host['Ulimits'] = def.ulimits.map((u) => ({ Name: u.name, Soft: u.softLimit, Hard: u.hardLimit }));
  }
  if (def.logConfiguration?.logDriver) {
    host['LogConfig'] = { Type: def.logConfiguration.logDriver, Config: def.logConfiguration.options ?? {} };
  }
  if (def.user) config['User'] = def.user;
  if (def.disableNetworking) config['NetworkDisabled'] = true;
  if (def.interactive) config['OpenStdin'] = true;
  if (def.pseudoTerminal) config['Tty'] = true;
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
