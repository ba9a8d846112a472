/**
 * The AWS JSON 1.1 wire shared by every API the emulator serves on its port (ECS, Secrets Manager, SSM, ECR):
 * reading a bounded request body, parsing it as a JSON object, writing a JSON answer. Each service builds its
 * own SerializationException shape through `fail`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Builds the service's error for a body that cannot be read or parsed (SerializationException). */
export type WireFailure = (message: string) => Error;

export function sendAwsJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': AWS_JSON_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request body as text; more than `maxBytes` fails (and the request is destroyed). */
export function readBody(req: IncomingMessage, maxBytes: number, fail: WireFailure): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        reject(fail('Request body too large.'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** An empty body is `{}`; anything but a JSON object fails. */
export function parseJsonObject(raw: string, fail: WireFailure): Record<string, unknown> {
  let input: unknown;
  try {
    input = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    throw fail('Start of structure or map found where not expected.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw fail('Request body must be a JSON object.');
  return input as Record<string, unknown>;
}
