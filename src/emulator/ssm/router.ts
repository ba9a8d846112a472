/**
 * SSM Parameter Store on the emulator's HTTP port: AWS JSON 1.1, `POST /` with `X-Amz-Target: AmazonSSM.<Op>`
 * (src/emulator/router.ts hands these over). Like the ECS API, signatures are not checked. Every failure answers with an
 * SSM-shaped error; request bodies (they carry parameter values) are never logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceDeps } from '../aws/service-deps.js';
import { SsmError } from './errors.js';
import { parseJsonObject, readBody as readWireBody, sendAwsJson as send } from '../aws/json-wire.js';
import { SSM_OPERATIONS } from './operations.js';

export const SSM_TARGET_PREFIX = 'AmazonSSM.';
/** The service's SerializationException. */
const serializationError = (message: string): Error => new SsmError('SerializationException', message);
const MAX_BODY = 1024 * 1024;

export async function handleSsmRequest(ctx: ServiceDeps, target: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const op = target.slice(SSM_TARGET_PREFIX.length);
  try {
    const operation = Object.hasOwn(SSM_OPERATIONS, op) ? SSM_OPERATIONS[op] : undefined;
    const raw = await readWireBody(req, MAX_BODY, serializationError);
    if (!operation) throw new SsmError('UnknownOperationException', `Unknown operation ${target}`);
    const input = parseJsonObject(raw, serializationError);
    const out = ctx.store.transaction(() => operation(ctx, input));
    send(res, 200, out);
  } catch (err) {
    if (err instanceof SsmError) {
      ctx.log.debug({ op, errorType: err.type }, 'ssm api error');
      send(res, err.status, err.toBody());
      return;
    }
    ctx.log.error({ op, err }, 'ssm handler failed');
    send(res, 500, { __type: 'InternalServerError', message: 'Internal error.' });
  }
}
