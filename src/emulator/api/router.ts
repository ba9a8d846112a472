import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { EcsError } from './errors.js';
import { parseJsonObject, readBody as readWireBody, sendAwsJson as send } from './json-wire.js';
import { HANDLERS } from './handlers/index.js';
import { validateInput } from './validate.js';
import { handleSecretsRequest, SECRETS_TARGET_PREFIX } from '../secrets/router.js';
import { handleSsmRequest, SSM_TARGET_PREFIX } from '../ssm/router.js';
import { ECR_TARGET_PREFIX, handleEcrRequest } from '../ecr/router.js';

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
/** The service's SerializationException. */
const serializationError = (message: string): Error => new EcsError('SerializationException', message);
const MAX_BODY = 10 * 1024 * 1024;

/**
 * AWS JSON 1.1 on `POST /`: route on X-Amz-Target, validate, run the handler in one store transaction.
 * Signatures are not checked. Every failure is an ECS-shaped error body.
 */
export async function handleApiRequest(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Secrets Manager shares the port (private registry credentials, §5.6); it has its own error shapes.
  const smTarget = req.headers['x-amz-target'];
  if (req.method === 'POST' && typeof smTarget === 'string' && smTarget.startsWith(SECRETS_TARGET_PREFIX)) return handleSecretsRequest(ctx, smTarget, req, res);
  // So does SSM Parameter Store (container secrets with an SSM valueFrom).
  if (req.method === 'POST' && typeof smTarget === 'string' && smTarget.startsWith(SSM_TARGET_PREFIX)) return handleSsmRequest(ctx, smTarget, req, res);
  // And ECR's GetAuthorizationToken (registryAuthentication type ecr: the emulated ECR registry).
  if (req.method === 'POST' && typeof smTarget === 'string' && smTarget.startsWith(ECR_TARGET_PREFIX)) return handleEcrRequest(ctx, smTarget, req, res);
  let op = '?';
  const started = performance.now();
  const observe = (error: string | undefined): void => ctx.observeApi?.(op, error, (performance.now() - started) / 1000);
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
