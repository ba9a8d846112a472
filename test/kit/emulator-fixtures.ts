import {
  CreateClusterCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type ECSClient,
  type NetworkMode,
} from '@aws-sdk/client-ecs';
import { totalResources } from './emulator.js';

/** What an agent registers, as far as the emulator's placement reads it (required attributes included). */
export const AGENT_ATTRIBUTES = [
  { name: 'ecs.capability.full-sync' },
  { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.17' },
  ...[
    'com.amazonaws.ecs.capability.logging-driver.json-file',
    'com.amazonaws.ecs.capability.logging-driver.awslogs',
    'com.amazonaws.ecs.capability.logging-driver.none',
    'com.amazonaws.ecs.capability.task-iam-role',
    'com.amazonaws.ecs.capability.ecr-auth',
    'ecs.capability.execution-role-ecr-pull',
    'ecs.capability.execution-role-awslogs',
    'ecs.capability.container-health-check',
    'ecs.capability.private-registry-authentication.secretsmanager',
    'ecs.capability.secrets.ssm.environment-variables',
    'ecs.capability.secrets.asm.environment-variables',
    'ecs.capability.container-ordering',
    'ecs.capability.network.container-port-range',
  ].map((name) => ({ name })),
  { name: 'ecs.os-type', value: 'linux' },
  { name: 'ecs.os-family', value: 'LINUX' },
];

/** A cluster with one registered container instance, as an agent would register it. */
export async function clusterWithInstance(
  ecs: ECSClient,
  opts: { cluster?: string; memory?: number; cpu?: number } = {},
): Promise<{ cluster: string; instanceArn: string }> {
  const cluster = opts.cluster ?? 'test';
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const out = await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster,
      totalResources: totalResources(opts.memory, opts.cpu),
      attributes: AGENT_ATTRIBUTES,
    }),
  );
  return { cluster, instanceArn: out.containerInstance!.containerInstanceArn! };
}

export async function webTaskDefinition(
  ecs: ECSClient,
  opts: { family?: string; memory?: number; hostPort?: number; networkMode?: NetworkMode; extra?: Partial<ContainerDefinition> } = {},
): Promise<string> {
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: opts.family ?? 'web',
      networkMode: opts.networkMode ?? 'bridge',
      containerDefinitions: [
        {
          name: 'web',
          image: 'busybox:latest',
          essential: true,
          memory: opts.memory ?? 64,
          command: ['httpd', '-f'],
          environment: [{ name: 'A', value: '1' }],
          portMappings: [{ containerPort: 8080, hostPort: opts.hostPort ?? 0, protocol: 'tcp' }],
          ...opts.extra,
        },
      ],
    }),
  );
  return out.taskDefinition!.taskDefinitionArn!;
}
