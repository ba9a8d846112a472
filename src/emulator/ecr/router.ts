/**
 * Amazon ECR on the emulator's HTTP port: AWS JSON 1.1, `POST /` with
 * `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Op>` (src/emulator/router.ts hands these over). Only
 * GetAuthorizationToken, the call agents make before pulling from ECR; signatures are not checked, like the ECS
 * API. Answers (they carry the registry's password) are never logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceDeps } from '../aws/service-deps.js';
import type { EmulatedEcr } from './registry.js';
import { EcrError } from './errors.js';
import { parseJsonObject, readBody as readWireBody, sendAwsJson as send } from '../aws/json-wire.js';

export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';
/** The service's SerializationException. */
const serializationError = (message: string): Error => new EcrError('SerializationException', message);
const MAX_BODY = 64 * 1024;
const REGISTRY_ID = /^[0-9]{12}$/;

function registryIds(input: Record<string, unknown>): string[] {
  const v = input['registryIds'];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) {
    throw new EcrError('SerializationException', 'Invalid type for registryIds: expected a list of strings.');
  }
  if (v.length === 0 || v.length > 10) {
    throw new EcrError('InvalidParameterException', "Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must have length between 1 and 10'");
  }
  const bad = v.find((id) => !REGISTRY_ID.test(id));
  if (bad !== undefined) {
    throw new EcrError('InvalidParameterException', `Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must satisfy regular expression pattern: [0-9]{12}' (${JSON.stringify(bad)})`);
  }
  return v;
}

/** GetAuthorizationToken: the emulated registry's credentials, one entry per registry ID asked for (its account). */
/** ECR's deps: the common ones and the emulated registry, when one is configured. */
export interface EcrDeps extends ServiceDeps {
  readonly ecr?: EmulatedEcr | undefined;
}

function getAuthorizationToken(ctx: EcrDeps, input: Record<string, unknown>): Record<string, unknown> {
  const ids = registryIds(input);
  const ecr = ctx.ecr;
  if (!ecr) {
    throw new EcrError('InvalidParameterException', 'This berth emulator has no ECR registry: start it with --ecr-registry HOST:PORT and --ecr-credentials USER:PASSWORD (or BERTH_ECR_REGISTRY / BERTH_ECR_CREDENTIALS).');
  }
  const other = ids.find((id) => id !== ecr.accountId);
  if (other !== undefined) {
    throw new EcrError('InvalidParameterException', `Registry ${other} is not emulated here: this emulator's ECR registry is ${ecr.accountId} (${ecr.registry}).`);
  }
  const entry = ecr.authorizationData(ctx.now());
  return { authorizationData: ids.length === 0 ? [entry] : ids.map(() => entry) };
}

const OPERATIONS: Record<string, (ctx: EcrDeps, input: Record<string, unknown>) => Record<string, unknown>> = {
  GetAuthorizationToken: getAuthorizationToken,
};

export async function handleEcrRequest(ctx: EcrDeps, target: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const op = target.slice(ECR_TARGET_PREFIX.length);
  try {
    const operation = Object.hasOwn(OPERATIONS, op) ? OPERATIONS[op] : undefined;
    const raw = await readWireBody(req, MAX_BODY, serializationError);
    if (!operation) throw new EcrError('UnknownOperationException', `Unknown operation ${target} (the emulator's ECR has GetAuthorizationToken only)`);
    const input = parseJsonObject(raw, serializationError);
    send(res, 200, operation(ctx, input));
  } catch (err) {
    if (err instanceof EcrError) {
      ctx.log.debug({ op, errorType: err.type, message: err.message }, 'ecr api error');
      send(res, err.status, err.toBody());
      return;
    }
    ctx.log.error({ op, err }, 'ecr handler failed');
    send(res, 500, { __type: 'ServerException', message: 'Internal error.' });
  }
}
