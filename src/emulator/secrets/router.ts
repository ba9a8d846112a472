/**
 * Secrets Manager on the emulator's HTTP port: AWS JSON 1.1, `POST /` with `X-Amz-Target: secretsmanager.<Op>`
 * (api/router.ts hands these over). Like the ECS API, signatures are not checked. Every failure answers with a
 * Secrets Manager-shaped error; request bodies (they carry secret values) are never logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { SecretsError } from './errors.js';
import { SECRETS_OPERATIONS } from './operations.js';

export const SECRETS_TARGET_PREFIX = 'secretsmanager.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_BODY = 1024 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new SecretsError('SerializationException', 'Request body too large.'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function handleSecretsRequest(ctx: EmulatorContext, target: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const op = target.slice(SECRETS_TARGET_PREFIX.length);
  try {
    const operation = Object.hasOwn(SECRETS_OPERATIONS, op) ? SECRETS_OPERATIONS[op] : undefined;
    const raw = await readBody(req);
    if (!operation) throw new SecretsError('UnknownOperationException', `Unknown operation ${target}`);
    let input: unknown;
    try {
      input = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      throw new SecretsError('SerializationException', 'Start of structure or map found where not expected.');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new SecretsError('SerializationException', 'Request body must be a JSON object.');
    const body = input as Record<string, unknown>;
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
