/**
 * Every AWS JSON service shares the emulator's one port and `POST /`, as an endpoint override points every SDK
 * client at the same URL: the X-Amz-Target prefix says which service a call is for. Each service parses,
 * answers and shapes its errors itself; this only picks the service.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceDeps } from './aws/service-deps.js';
import type { EmulatorContext } from './ecs/context.js';
import { secretsManager } from './secretsmanager/index.js';
import { ssm } from './ssm/index.js';
import { ecr, type EcrDeps } from './ecr/index.js';
import { EcsError } from './ecs/errors.js';
import { parseJsonObject, readBody as readWireBody, sendAwsJson as send } from './aws/json-wire.js';
import { HANDLERS } from './ecs/api/handlers/index.js';
import { validateInput } from './ecs/validate.js';
import { realClock } from '../shared/clock.js';

export interface ServiceRoutes {
  readonly ecs: EmulatorContext;
  readonly secretsManager: ServiceDeps;
  readonly ssm: ServiceDeps;
  readonly ecr: EcrDeps;
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
  }
  // ECS answers everything else, an unknown target included (with its own UnknownOperationException).
  return handleEcsRequest(routes.ecs, req, res);
}

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
/** The service's SerializationException. */
const serializationError = (message: string): Error => new EcsError('SerializationException', message);
const MAX_BODY = 10 * 1024 * 1024;

/**
 * AWS JSON 1.1 on `POST /`: route on X-Amz-Target, validate, run the handler in one store transaction.
 * Signatures are not checked. Every failure is an ECS-shaped error body.
 */
export async function handleEcsRequest(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let op = '?';
  const started = realClock.monotonic();
  const observe = (error: string | undefined): void => ctx.observeApi?.(op, error, (realClock.monotonic() - started) / 1000);
  try {
    if (req.method !== 'POST') throw new EcsError('UnknownOperationException', 'Only POST / is supported.', 404);
    const target = req.headers['x-amz-target'];
    op = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const handler = Object.hasOwn(HANDLERS, op) ? HANDLERS[op] : undefined;
    const raw = await readWireBody(req, MAX_BODY, serializationError);
    if (!handler) throw new EcsError('UnknownOperationException', `Unknown operation ${String(target ?? '')}`.trim());
    const body = parseJsonObject(raw, serializationError);
    validateInput(handler.input, body);
    const call = { host: req.headers.host ?? '127.0.0.1' };
    const out = ctx.store.transaction(() => handler.handle(ctx, body, call));
    send(res, 200, out);
    observe(undefined);
  } catch (err) {
    if (err instanceof EcsError) {
      ctx.log.debug({ op, errorType: err.type, message: err.message }, 'ecs api error');
      send(res, err.status, err.toBody());
      observe(err.type);
      return;
    }
    ctx.log.error({ op, err }, 'ecs api handler failed');
    send(res, 500, { __type: 'ServerException', message: 'Internal error.' });
    observe('ServerException');
  }
}
