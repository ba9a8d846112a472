/**
 * Secrets Manager on the emulator's HTTP port: AWS JSON 1.1, `POST /` with `X-Amz-Target: secretsmanager.<Op>`
 * (src/emulator/router.ts hands these over). Like the ECS API, signatures are not checked. Every failure answers with a
 * Secrets Manager-shaped error; request bodies (they carry secret values) are never logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceDeps } from '../aws/service-deps.js';
import { SecretsError } from './errors.js';
import { parseJsonObject, readBody as readWireBody, sendAwsJson as send } from '../aws/json-wire.js';
import { SECRETS_OPERATIONS } from './operations.js';

export const SECRETS_TARGET_PREFIX = 'secretsmanager.';
/** The service's SerializationException. */
const serializationError = (message: string): Error => new SecretsError('SerializationException', message);
const MAX_BODY = 1024 * 1024;

export async function handleSecretsRequest(ctx: ServiceDeps, target: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const op = target.slice(SECRETS_TARGET_PREFIX.length);
  try {
    const operation = Object.hasOwn(SECRETS_OPERATIONS, op) ? SECRETS_OPERATIONS[op] : undefined;
    const raw = await readWireBody(req, MAX_BODY, serializationError);
    if (!operation) throw new SecretsError('UnknownOperationException', `Unknown operation ${target}`);
    const body = parseJsonObject(raw, serializationError);
    const out = ctx.store.transaction(() => operation(ctx, body));
    send(res, 200, out);
  } catch (err) {
    if (err instanceof SecretsError) {
      ctx.log.debug({ op, errorType: err.type }, 'secrets manager api error');
      send(res, err.status, err.toBody());
      return;
    }
    ctx.log.error({ op, err }, 'secrets manager handler failed');
    send(res, 500, { __type: 'InternalServiceError', message: 'Internal error.' });
  }
}
