/**
 * Opt-in check of the caller's access key (EmulatorOptions.acceptAccessKeys): the emulator still does not verify
 * signatures, but it can refuse a key that is not (or no longer) current, the way real ECS refuses a rotated-out
 * key. Used to prove that an agent picks up rotated instance credentials.
 */
import type { IncomingMessage } from 'node:http';

/** The access key in a SigV4 `Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/ecs/aws4_request, ...`. */
export function accessKeyOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string') return undefined;
  return /Credential=([^/,\s]+)\//.exec(auth)?.[1];
}

/** undefined when accepted (or when no check is configured); otherwise the ECS error to answer with. */
export function refuseAccessKey(
  accept: (() => readonly string[]) | undefined,
  req: IncomingMessage,
): { status: number; body: { __type: string; message: string } } | undefined {
  if (accept === undefined) return undefined;
  const key = accessKeyOf(req);
  if (key !== undefined && accept().includes(key)) return undefined;
  return {
    status: 400,
    body: { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
  };
}
