/**
 * Every AWS JSON service shares the emulator's one port and `POST /`, as an endpoint override points every SDK
 * client at the same URL: the X-Amz-Target prefix says which service a call is for. Each service parses,
 * answers and shapes its errors itself; this only picks the service.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './ecs/context.js';
import { secretsManager, type SecretsManagerDeps } from './secretsmanager/index.js';
import { ssm, type SsmDeps } from './ssm/index.js';
import { ecr, type EcrDeps } from './ecr/index.js';
import { logs, type LogsDeps } from './logs/index.js';
import './ecs/api/handlers/index.js';
import { ecs } from './ecs/api/service.js';

export interface ServiceRoutes {
  readonly ecs: EmulatorContext;
  readonly secretsManager: SecretsManagerDeps;
  readonly ssm: SsmDeps;
  readonly ecr: EcrDeps;
  readonly logs: LogsDeps;
}

export function handleAwsRequest(routes: ServiceRoutes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = req.headers['x-amz-target'];
  if (req.method === 'POST' && typeof target === 'string') {
    // Secrets Manager: per-container registry credentials (repositoryCredentials) and container secrets.
    if (target.startsWith(secretsManager.target)) return secretsManager.serve(routes.secretsManager, req, res);
    // SSM Parameter Store: container secrets with an SSM valueFrom.
    if (target.startsWith(ssm.target)) return ssm.serve(routes.ssm, req, res);
    // ECR's GetAuthorizationToken: registryAuthentication type ecr, for the emulated ECR registry.
    if (target.startsWith(ecr.target)) return ecr.serve(routes.ecr, req, res);
    // CloudWatch Logs: Docker's awslogs driver (PutLogEvents) and people reading the logs.
    if (target.startsWith(logs.target)) return logs.serve(routes.logs, req, res);
  }
  // ECS answers everything else, an unknown target included (with its own UnknownOperationException).
  return ecs.serve(routes.ecs, req, res);
}
