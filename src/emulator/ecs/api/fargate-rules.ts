/**
 * What Fargate accepts in a task definition ("Amazon ECS task definition differences for Fargate" and the Fargate
 * task size table), as ECS judges it: at RegisterTaskDefinition when requiresCompatibilities names FARGATE (a
 * ClientException with the first rule broken), and for DescribeTaskDefinition's `compatibilities`, which lists
 * FARGATE only for definitions that can run there. One rule, one entry: the table test walks them.
 */
import { parseTaskCpu, parseTaskMemory } from '../scheduler/demand.js';

/** Task CPU units -> the memory sizes (MiB) Fargate offers with it (Linux, platform version 1.4.0). */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** The log drivers Fargate supports. */
export const FARGATE_LOG_DRIVERS: readonly string[] = ['awslogs', 'splunk', 'awsfirelens'];

interface Container {
  name?: string;
  image?: string;
  privileged?: boolean;
  links?: unknown[];
  hostname?: string;
  dnsServers?: unknown[];
  dnsSearchDomains?: unknown[];
  extraHosts?: unknown[];
  dockerSecurityOptions?: unknown[];
  logConfiguration?: { logDriver?: string };
  secrets?: unknown[];
  repositoryCredentials?: unknown;
  linuxParameters?: { devices?: unknown[]; sharedMemorySize?: number; tmpfs?: unknown[]; maxSwap?: number; swappiness?: number; capabilities?: { add?: string[] } };
}

interface Volume {
  name?: string;
  host?: { sourcePath?: string };
  dockerVolumeConfiguration?: unknown;
}

const ECR_IMAGE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

type Rule = (body: Record<string, unknown>, containers: readonly Container[]) => string | undefined;

const hasExecutionRole = (body: Record<string, unknown>): boolean => typeof body['executionRoleArn'] === 'string' && body['executionRoleArn'] !== '';
const first = (containers: readonly Container[], test: (c: Container) => boolean, message: (c: Container) => string): string | undefined => {
  const c = containers.find(test);
  return c ? message(c) : undefined;
};

/** In the order ECS reports them; each returns ECS's message when the definition breaks it. */
export const FARGATE_RULES: readonly { name: string; rule: Rule }[] = [
  { name: 'awsvpc only', rule: (b) => (b['networkMode'] !== 'awsvpc' ? "Fargate only supports network mode 'awsvpc'." : undefined) },
  { name: 'task cpu', rule: (b) => (b['cpu'] === undefined ? "Fargate requires that 'cpu' be defined at the task level." : undefined) },
  { name: 'task memory', rule: (b) => (b['memory'] === undefined ? "Fargate requires that 'memory' be defined at the task level." : undefined) },
  {
    name: 'cpu/memory table',
    rule: (b) => {
      const cpu = parseTaskCpu(b['cpu']);
      const memory = parseTaskMemory(b['memory']);
      if (cpu !== undefined && memory !== undefined && FARGATE_SIZES.get(cpu)?.includes(memory)) return undefined;
      return `No Fargate configuration exists for given values: ${String(b['cpu'])} CPU, ${String(b['memory'])} memory. See the Amazon ECS documentation for the valid values.`;
    },
  },
  { name: 'no host ipc', rule: (b) => (b['ipcMode'] !== undefined ? "Fargate compatible task definitions do not support 'ipcMode'." : undefined) },
  { name: 'no host pid', rule: (b) => (b['pidMode'] === 'host' ? "Fargate compatible task definitions do not support pidMode 'host'." : undefined) },
  {
    name: 'no placement constraints',
    rule: (b) => (Array.isArray(b['placementConstraints']) && b['placementConstraints'].length > 0 ? 'Fargate compatible task definitions do not support placement constraints.' : undefined),
  },
  {
    name: 'no host sourcePath volumes',
    rule: (b) => {
      const v = ((b['volumes'] ?? []) as Volume[]).find((x) => x.host?.sourcePath !== undefined && x.host.sourcePath !== '');
      return v ? `Fargate compatible task definitions do not support sourcePath in volume '${v.name ?? ''}'.` : undefined;
    },
  },
  {
    name: 'no docker volume configurations',
    rule: (b) => {
      const v = ((b['volumes'] ?? []) as Volume[]).find((x) => x.dockerVolumeConfiguration !== undefined);
      return v ? `Fargate compatible task definitions do not support dockerVolumeConfiguration in volume '${v.name ?? ''}'.` : undefined;
    },
  },
  { name: 'no privileged', rule: (_b, cs) => first(cs, (c) => c.privileged === true, (c) => `Fargate compatible task definitions do not support privileged mode (container '${c.name ?? ''}').`) },
  { name: 'no links', rule: (_b, cs) => first(cs, (c) => (c.links?.length ?? 0) > 0, () => 'Links are not supported when networkMode=awsvpc.') },
  { name: 'no hostname', rule: (_b, cs) => first(cs, (c) => c.hostname !== undefined, () => 'Hostname is not supported when networkMode=awsvpc.') },
  { name: 'no dns servers', rule: (_b, cs) => first(cs, (c) => (c.dnsServers?.length ?? 0) > 0, (c) => `Fargate compatible task definitions do not support dnsServers (container '${c.name ?? ''}').`) },
  { name: 'no dns search domains', rule: (_b, cs) => first(cs, (c) => (c.dnsSearchDomains?.length ?? 0) > 0, (c) => `Fargate compatible task definitions do not support dnsSearchDomains (container '${c.name ?? ''}').`) },
  { name: 'no extra hosts', rule: (_b, cs) => first(cs, (c) => (c.extraHosts?.length ?? 0) > 0, () => 'Extra hosts are not supported when networkMode=awsvpc.') },
  { name: 'no security options', rule: (_b, cs) => first(cs, (c) => (c.dockerSecurityOptions?.length ?? 0) > 0, (c) => `Fargate compatible task definitions do not support dockerSecurityOptions (container '${c.name ?? ''}').`) },
  { name: 'no devices', rule: (_b, cs) => first(cs, (c) => (c.linuxParameters?.devices?.length ?? 0) > 0, (c) => `Fargate compatible task definitions do not support devices (container '${c.name ?? ''}').`) },
  { name: 'no shared memory size', rule: (_b, cs) => first(cs, (c) => c.linuxParameters?.sharedMemorySize !== undefined, (c) => `Fargate compatible task definitions do not support sharedMemorySize (container '${c.name ?? ''}').`) },
  { name: 'no tmpfs', rule: (_b, cs) => first(cs, (c) => (c.linuxParameters?.tmpfs?.length ?? 0) > 0, (c) => `Fargate compatible task definitions do not support tmpfs (container '${c.name ?? ''}').`) },
  {
    name: 'no swap settings',
    rule: (_b, cs) => first(cs, (c) => c.linuxParameters?.maxSwap !== undefined || c.linuxParameters?.swappiness !== undefined, (c) => `Fargate compatible task definitions do not support maxSwap or swappiness (container '${c.name ?? ''}').`),
  },
  {
    name: 'only SYS_PTRACE added',
    rule: (_b, cs) => first(cs, (c) => (c.linuxParameters?.capabilities?.add ?? []).some((x) => x !== 'SYS_PTRACE'), (c) => `Fargate only supports adding the SYS_PTRACE kernel capability (container '${c.name ?? ''}').`),
  },
  {
    name: 'supported log drivers',
    rule: (_b, cs) => first(cs, (c) => c.logConfiguration?.logDriver !== undefined && !FARGATE_LOG_DRIVERS.includes(c.logConfiguration.logDriver), (c) => `Log driver ${c.logConfiguration?.logDriver ?? ''} is not supported with Fargate: use one of ${FARGATE_LOG_DRIVERS.join(', ')}.`),
  },
  {
    name: 'awslogs needs an execution role',
    rule: (b, cs) => first(cs, (c) => c.logConfiguration?.logDriver === 'awslogs' && !hasExecutionRole(b), () => 'Fargate requires task definition to have execution role ARN to support log driver awslogs.'),
  },
  {
    name: 'ECR images need an execution role',
    rule: (b, cs) => first(cs, (c) => typeof c.image === 'string' && ECR_IMAGE.test(c.image) && !hasExecutionRole(b), () => 'Fargate requires task definition to have execution role ARN to support ECR images.'),
  },
  {
    name: 'private registry credentials need an execution role',
    rule: (b, cs) => first(cs, (c) => c.repositoryCredentials !== undefined && !hasExecutionRole(b), () => 'Fargate requires task definition to have execution role ARN to support private registry authentication.'),
  },
];

/** The first Fargate rule the definition breaks (ECS's message), or undefined when it can run on Fargate. */
export function fargateProblem(body: Record<string, unknown>): string | undefined {
  const containers = (Array.isArray(body['containerDefinitions']) ? body['containerDefinitions'] : []) as Container[];
  for (const { rule } of FARGATE_RULES) {
    const problem = rule(body, containers);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * DescribeTaskDefinition's `compatibilities`: EC2 always; EXTERNAL unless awsvpc (ECS Anywhere has no ENIs);
 * FARGATE when every Fargate rule holds.
 */
export function compatibilitiesOf(body: Record<string, unknown>): string[] {
  return ['EC2', ...(body['networkMode'] !== 'awsvpc' ? ['EXTERNAL'] : []), ...(fargateProblem(body) === undefined ? ['FARGATE'] : [])];
}
