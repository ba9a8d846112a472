/**
 * Capability attributes, named and ordered like the official agent's (transcript 0001), limited to what
 * berth actually implements (no firelens or efs capabilities, for example, until berth has them).
 */
import os from 'node:os';
import type { Attribute } from '@aws-sdk/client-ecs';
import type { AgentConfig } from '../config/config.js';

const C = 'com.amazonaws.ecs.capability.';
const E = 'ecs.capability.';

/** The minimum Docker API each logging driver needs (§1.5); unknown drivers are not advertised. */
const LOGGING_DRIVER_MIN_API: Record<string, string> = {
  'json-file': '1.18', syslog: '1.18', journald: '1.19', gelf: '1.20', fluentd: '1.20',
  awslogs: '1.21', splunk: '1.22', logentries: '1.25', none: '1.18',
};

function apiNum(v: string): number {
  const [major, minor] = v.split('.');
  return Number(major) * 1000 + Number(minor);
}

/** Docker API versions 1.17-1.32 that the daemon's [min, max] covers. */
export function supportedApiVersions(minApi: string, maxApi: string): string[] {
  const out: string[] = [];
  for (let minor = 17; minor <= 32; minor++) {
    const v = `1.${minor}`;
    if (apiNum(v) >= apiNum(minApi) && apiNum(v) <= apiNum(maxApi)) out.push(v);
  }
  return out;
}

export function cpuArchitecture(arch: string = os.arch()): string {
  return arch === 'x64' ? 'x86_64' : arch;
}

export interface AttributeInput {
  config: AgentConfig;
  apiVersions: string[];
  /** Custom attributes go only into the first registration (§1.3). */
  firstRegistration: boolean;
  /** awsvpc really works here (network/awsvpc/support.ts): ecs.capability.task-eni. */
  taskEni?: boolean;
  /** Task cgroups are on (cgroups/startup.ts): ecs.capability.task-cpu-mem-limit and increased-task-cpu-limit. */
  taskCpuMemLimit?: boolean;
  /**
   * The log drivers Docker has (docker info). A driver named in ECS_AVAILABLE_LOGGING_DRIVERS that Docker lacks is
   * not advertised: ECS would place tasks needing it here, and every one would fail to create its container.
   */
  dockerLogDrivers?: readonly string[] | undefined;
}

export function capabilityAttributes({ config, apiVersions, firstRegistration, taskEni, taskCpuMemLimit, dockerLogDrivers }: AttributeInput): Attribute[] {
  const has = (v: string): boolean => apiVersions.includes(v);
  // Per-container registry credentials from Secrets Manager (engine/registry-auth.ts), first as in the transcript.
  // ecr-endpoint: ecrAuthData.endpointOverride is honoured (engine/registry-auth.ts, api/ecr.ts).
  // Container secrets as environment variables from Parameter Store and Secrets Manager (engine/secrets.ts), in
  // the transcript's order, and as log driver options (logConfiguration.secretOptions: the bootstrap forms).
  const names: string[] = [
    `${E}private-registry-authentication.secretsmanager`,
    `${E}secrets.ssm.environment-variables`,
    `${E}secrets.ssm.bootstrap.log-driver`,
    `${E}ecr-endpoint`,
    `${E}secrets.asm.environment-variables`,
    `${E}secrets.asm.bootstrap.log-driver`,
    `${E}container-ordering`,
    `${E}full-sync`,
    `${E}network.container-port-range`,
  ];
  if (!config.disablePrivileged) names.unshift(`${C}privileged-container`);
  for (const v of apiVersions) names.push(`${C}docker-remote-api.${v}`);
  for (const d of config.availableLoggingDrivers) {
    // `none` is no plugin: Docker never lists it.
    if (dockerLogDrivers !== undefined && d !== 'none' && !dockerLogDrivers.includes(d)) continue;
    const min = LOGGING_DRIVER_MIN_API[d];
    if (min !== undefined && has(min)) names.push(`${C}logging-driver.${d}`);
  }
  // awslogs with the task's execution role: the driver gets awslogs-credentials-endpoint (engine/log-options.ts).
  if (config.awslogsExecutionRoleOverride) names.push(`${E}execution-role-awslogs`);
  // Task role credentials are served by the metadata server (http/); host mode needs its own switch (§9).
  if (config.taskIamRole) names.push(`${C}task-iam-role`);
  if (config.taskIamRoleNetworkHost) names.push(`${C}task-iam-role-network-host`);
  // Task-level cpu/memory in a cgroup per task (cgroups/), with Docker API 1.22 (CgroupParent), as in the transcript.
  if (taskCpuMemLimit && has('1.22')) names.push(`${E}task-cpu-mem-limit`, `${E}increased-task-cpu-limit`);
  // ECR pulls with GetAuthorizationToken tokens, signed by the instance or the task's execution role (§1.5).
  if (has('1.19')) names.push(`${C}ecr-auth`, `${E}execution-role-ecr-pull`);
  if (has('1.24')) names.push(`${E}container-health-check`);
  names.push(`${E}docker-plugin.local`);
  if (taskEni) names.push(`${E}task-eni`);
  if (config.external) names.push(`${E}external`);

  const attrs: Attribute[] = [];
  if (firstRegistration) {
    for (const [name, value] of Object.entries(config.instanceAttributes)) attrs.push({ name, value });
  }
  attrs.push(...names.map((name) => ({ name })));
  attrs.push({ name: 'ecs.os-type', value: 'linux' }, { name: 'ecs.os-family', value: 'LINUX' });
  if (config.external) attrs.push({ name: 'ecs.cpu-architecture', value: cpuArchitecture() });
  return attrs;
}
