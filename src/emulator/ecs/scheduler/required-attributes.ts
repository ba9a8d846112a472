/**
 * The container instance attributes a task definition needs, as ECS derives them at registration
 * (DescribeTaskDefinition's `requiresAttributes`) and enforces at placement: an instance that did not register
 * one of them cannot take the task, and RunTask reports it with reason ATTRIBUTE. Only the capabilities that
 * follow from members berth's ECS accepts are listed; each line says which member needs it.
 */
import { parseExpression } from './query/parse.js';
import type { PlacementConstraint } from './placement.js';

const C = 'com.amazonaws.ecs.capability.';
const E = 'ecs.capability.';

interface DefinitionForAttributes {
  name?: string;
  image?: string;
  logConfiguration?: { logDriver?: string; secretOptions?: { valueFrom?: string }[] };
  healthCheck?: { command?: string[] };
  repositoryCredentials?: unknown;
  secrets?: { valueFrom?: string }[];
  dependsOn?: unknown[];
  portMappings?: { containerPortRange?: string }[];
}

const secretProvider = (valueFrom: string | undefined): 'ssm' | 'asm' => (!valueFrom?.startsWith('arn:') || valueFrom.split(':')[2] === 'ssm' ? 'ssm' : 'asm');

const ECR_IMAGE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

export function requiredAttributes(body: Record<string, unknown>): { name: string }[] {
  const names = new Set<string>();
  const defs = (Array.isArray(body['containerDefinitions']) ? body['containerDefinitions'] : []) as DefinitionForAttributes[];
  const executionRole = typeof body['executionRoleArn'] === 'string' && body['executionRoleArn'] !== '';
  for (const def of defs) {
    const driver = def.logConfiguration?.logDriver;
    if (driver) names.add(`${C}logging-driver.${driver}`);
    // awslogs signed with the execution role (the agent's awslogs-credentials-endpoint).
    if (driver === 'awslogs' && executionRole) names.add(`${E}execution-role-awslogs`);
    if (def.healthCheck?.command?.length) names.add(`${E}container-health-check`);
    if (def.repositoryCredentials !== undefined) names.add(`${E}private-registry-authentication.secretsmanager`);
    for (const s of def.secrets ?? []) names.add(`${E}secrets.${secretProvider(s.valueFrom)}.environment-variables`);
    // Log driver options from secrets: the "bootstrap" secrets the agent resolves before the container exists.
    for (const s of def.logConfiguration?.secretOptions ?? []) names.add(`${E}secrets.${secretProvider(s.valueFrom)}.bootstrap.log-driver`);
    if (def.dependsOn?.length) names.add(`${E}container-ordering`);
    if (def.portMappings?.some((p) => p.containerPortRange !== undefined)) names.add(`${E}network.container-port-range`);
    if (def.image !== undefined && ECR_IMAGE.test(def.image)) {
      names.add(`${C}ecr-auth`);
      if (executionRole) names.add(`${E}execution-role-ecr-pull`);
    }
  }
  if (typeof body['taskRoleArn'] === 'string' && body['taskRoleArn'] !== '') names.add(`${C}task-iam-role`);
  if (body['networkMode'] === 'awsvpc') names.add(`${E}task-eni`);
  return [...names].sort().map((name) => ({ name }));
}

/** The same attributes as memberOf constraints, so every way of placing a task checks them. */
export function requiredAttributeConstraints(body: Record<string, unknown>): PlacementConstraint[] {
  return requiredAttributes(body).map(({ name }) => ({ type: 'memberOf' as const, expression: parseExpression(`attribute:${name} exists`) }));
}
