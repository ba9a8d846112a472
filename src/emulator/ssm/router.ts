/**
 * SSM Parameter Store on the emulator's HTTP port: AWS JSON 1.1, `POST /` with `X-Amz-Target: AmazonSSM.<Op>`
 * (api/router.ts hands these over). Like the ECS API, signatures are not checked. Every failure answers with an
 * SSM-shaped error; request bodies (they carry parameter values) are never logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { SsmError } from './errors.js';
import { SSM_OPERATIONS } from './operations.js';

export const SSM_TARGET_PREFIX = 'AmazonSSM.';
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
        reject(new SsmError('SerializationException', 'Request body too large.'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseInput(raw: string): Record<string, unknown> {
  let input: unknown;
  try {
    input = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    throw new SsmError('SerializationException', 'Start of structure or map found where not expected.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new SsmError('SerializationException', 'Request body must be a JSON object.');
  return input as Record<string, unknown>;
}

export async function handleSsmRequest(ctx: EmulatorContext, target: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const op = target.slice(SSM_TARGET_PREFIX.length);
  try {
    const operation = Object.hasOwn(SSM_OPERATIONS, op) ? SSM_OPERATIONS[op] : undefined;
    const raw = await readBody(req);
    if (!operation) throw new SsmError('UnknownOperationException', `Unknown operation ${target}`);
    const input = parseInput(raw);
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
