/**
 * The protocol kit for AWS JSON 1.0/1.1 services: one `awsJsonService(...)` per service, one `.operation(...)`
 * declaration per operation, and `serve` does the rest the same way for every service: `POST /` only, a bounded
 * body, the X-Amz-Target lookup (an operation of the model that berth does not serve is refused by name), JSON
 * parsing, the check against the service's generated model, the handler (inside the service's `run`, e.g. one
 * store transaction), a request id on every answer, and errors in the service's own shape.
 *
 * The input type of a handler is the generated request type of its operation (`Ops[Name]`), the error codes are
 * the service's own union: a misspelt operation or exception name does not compile.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../shared/log.js';
import { realClock } from '../../shared/clock.js';
import { AwsServiceError, type CommonErrorCode } from './errors.js';
import { checkShape, coralMessage, type ServiceModel, type Violation } from './model.js';

/** Per-request facts a handler may need. */
export interface CallInfo {
  /** The Host header the client used (host:port), so returned URLs point where the client can reach. */
  readonly host: string;
  readonly requestId: string;
}

export type OperationOutput = Record<string, unknown>;

export interface OperationDef<Deps, Input, Code extends string> {
  /** The service errors this operation answers with besides the protocol's common ones. */
  readonly errors?: readonly Code[];
  /** Input members of the model that berth does not emulate: a request that sets one is refused, never half-served. */
  readonly notEmulated?: readonly (keyof Input & string)[];
  /** Checks the model cannot express, run after the model's (throw the service's error). */
  readonly check?: (input: Input) => void;
  /**
   * Asynchronous work an operation needs before its transaction (ECR's PutImage stores the manifest in the
   * registry); its result is `handle`'s fourth argument. Operations with it are answered by `invokeAsync` only.
   */
  readonly prepare?: (deps: Deps, input: Input, call: CallInfo) => Promise<unknown>;
  handle(deps: Deps, input: Input, call: CallInfo, prepared?: unknown): OperationOutput;
}

/** The violations of a request, or a member berth does not emulate; the service says how they are answered. */
export type RequestProblem = Violation | { kind: 'not-emulated'; path: string; operation: string };

export interface ServiceDepsBase {
  readonly log: Logger;
}

export interface AwsJsonServiceSpec<Deps extends ServiceDepsBase, Code extends string> {
  readonly model: ServiceModel;
  /** The code of an unexpected failure (InternalServiceError, ServerException, InternalServerError, ...). */
  readonly internalError: Code | CommonErrorCode;
  /** How a bad request is answered; by default as AWS's JSON services do (see defaultProblemError). */
  readonly problemError?: (problems: readonly RequestProblem[]) => AwsServiceError<Code | CommonErrorCode>;
  readonly maxBodyBytes?: number;
  /** How deep the model's check walks into a request (default: all of it); see checkShape. */
  readonly modelCheckDepth?: number;
  /** Runs one operation, e.g. inside one store transaction. */
  readonly run?: <T>(deps: Deps, operation: () => T) => T;
  /** Told about every answered call (Prometheus); `error` is the error code. */
  readonly observe?: (deps: Deps, operation: string, error: string | undefined, seconds: number) => void;
}

export interface AwsJsonService<Deps extends ServiceDepsBase, Ops, Code extends string> {
  readonly model: ServiceModel;
  /** `<targetPrefix>.`: the X-Amz-Target prefix of this service's calls. */
  readonly target: string;
  operation<K extends keyof Ops & string>(name: K, def: OperationDef<Deps, Ops[K], Code>): OperationDef<Deps, Ops[K], Code>;
  error(code: Code | CommonErrorCode, message: string, status?: number): AwsServiceError<Code | CommonErrorCode>;
  /** The operations declared so far. */
  served(): string[];
  /**
   * One call without HTTP: the model's check, the operation's own check and the handler inside `run`; throws the
   * service's errors. `serve` answers requests with it; tests and benchmarks may call it directly.
   */
  invoke(deps: Deps, operation: string, input: Record<string, unknown>, call?: Partial<CallInfo>): OperationOutput;
  /** As `invoke`, for every operation, those with a `prepare` step included. */
  invokeAsync(deps: Deps, operation: string, input: Record<string, unknown>, call?: Partial<CallInfo>): Promise<OperationOutput>;
  serve(deps: Deps, req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * As AWS's JSON services answer: a value of the wrong JSON type is a SerializationException; constraint
 * violations are one ValidationException in Coral's words ("2 validation errors detected: ...; ...").
 */
export function defaultProblemError(problems: readonly RequestProblem[]): AwsServiceError<CommonErrorCode> {
  const type = problems.find((p) => p.kind === 'type');
  if (type) return new AwsServiceError('SerializationException', `Invalid type for ${type.path || 'the request'}: expected ${type.expectedText}.`);
  const notEmulated = problems.find((p) => p.kind === 'not-emulated');
  if (notEmulated) return new AwsServiceError('ValidationException', `${notEmulated.path} of ${notEmulated.operation} is not emulated by berth`);
  const messages = problems.map((p) => coralMessage(p as Exclude<Violation, { kind: 'type' }>));
  const count = `${messages.length} validation error${messages.length === 1 ? '' : 's'} detected`;
  return new AwsServiceError('ValidationException', `${count}: ${messages.join('; ')}`);
}

const DEFAULT_MAX_BODY = 1024 * 1024;

/**
 * AWS's JSON protocols treat a member set to null as a member left out (`"nextToken": null` is the first page), at
 * every depth of structures and maps; nulls inside lists stay, for the model check to refuse.
 */
export function withoutNulls(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === null) continue;
    if (Array.isArray(v)) out[k] = v.map((e) => (typeof e === 'object' && e !== null && !Array.isArray(e) ? withoutNulls(e as Record<string, unknown>) : e));
    else out[k] = typeof v === 'object' ? withoutNulls(v as Record<string, unknown>) : v;
  }
  return out;
}

export function awsJsonService<Ops, Code extends string, Deps extends ServiceDepsBase>(
  spec: AwsJsonServiceSpec<Deps, Code>,
): AwsJsonService<Deps, Ops, Code> {
  const { model } = spec;
  const target = `${model.targetPrefix}.`;
  const contentType = `application/x-amz-json-${model.jsonVersion}`;
  const operations = new Map<string, OperationDef<Deps, unknown, Code>>();
  const error = (code: Code | CommonErrorCode, message: string, status = 400): AwsServiceError<Code | CommonErrorCode> => new AwsServiceError(code, message, status);
  const problemError = spec.problemError ?? defaultProblemError;
  const run = spec.run ?? (<T>(_deps: Deps, operation: () => T): T => operation());

  const send = (res: ServerResponse, requestId: string, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': requestId });
    res.end(text);
  };

  const readBody = (req: IncomingMessage): Promise<string> => new Promise((resolve, reject) => {
    const max = spec.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Past the limit the rest is read and dropped, so the client gets the answer rather than a reset.
      if (size <= max) chunks.push(c);
      else chunks.length = 0;
    });
    req.on('end', () => {
      if (size > max) reject(error('SerializationException', `Request body too large: at most ${max} bytes.`, 413));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
    // A client that goes away mid-body: no 'end' will come (and Node does not always say 'error').
    req.on('close', () => {
      if (!req.complete) reject(Object.assign(new Error('client closed the connection mid-request'), { code: 'ECONNRESET' }));
    });
  });

  const parse = (raw: string): Record<string, unknown> => {
    let input: unknown;
    try {
      input = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      throw error('SerializationException', 'Start of structure or map found where not expected.');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw error('SerializationException', 'Request body must be a JSON object.');
    return withoutNulls(input as Record<string, unknown>);
  };

  const unknownOperation = (op: string, targetText: string): never => {
    const known = model.allOperations.includes(op);
    const served = [...operations.keys()].sort();
    // A short list of what is served helps someone who reached a service berth emulates only in part.
    const only = served.length <= 8 ? ` (berth's ${model.serviceId} serves ${served.join(', ')} only)` : '';
    throw error('UnknownOperationException', known ? `${model.serviceId} ${op} is not emulated by berth${only}` : `Unknown operation ${targetText}${only}`.trim());
  };

  /** The model's check and the operation's own, before anything runs. */
  const checked = (op: string, input: Record<string, unknown>): OperationDef<Deps, unknown, Code> => {
    const def = operations.get(op);
    if (!def) return unknownOperation(op, `${target}${op}`);
    const inputShape = model.operations[op];
    const problems: RequestProblem[] = inputShape ? checkShape(model, inputShape, input, '', spec.modelCheckDepth) : [];
    for (const member of def.notEmulated ?? []) {
      if (input[member] !== undefined && input[member] !== null) problems.push({ kind: 'not-emulated', path: member, operation: op });
    }
    if (problems.length > 0) throw problemError(problems);
    def.check?.(input);
    return def;
  };
  const callInfo = (call: Partial<CallInfo>): CallInfo => ({ host: call.host ?? '127.0.0.1', requestId: call.requestId ?? randomUUID() });

  const invoke = (deps: Deps, op: string, input: Record<string, unknown>, call: Partial<CallInfo> = {}): OperationOutput => {
    const def = checked(op, input);
    if (def.prepare) throw new Error(`${model.serviceId} ${op} has an asynchronous step: call invokeAsync`);
    const info = callInfo(call);
    return run(deps, () => def.handle(deps, input, info));
  };

  const invokeAsync = async (deps: Deps, op: string, input: Record<string, unknown>, call: Partial<CallInfo> = {}): Promise<OperationOutput> => {
    const def = checked(op, input);
    const info = callInfo(call);
    const prepared = def.prepare ? await def.prepare(deps, input, info) : undefined;
    return run(deps, () => def.handle(deps, input, info, prepared));
  };

  return {
    model,
    target,
    invoke,
    invokeAsync,
    operation(name, def) {
      if (!Object.hasOwn(model.operations, name)) throw new Error(`${model.serviceId} has no operation ${name} in its model`);
      operations.set(name, def as OperationDef<Deps, unknown, Code>);
      return def;
    },
    error,
    served: () => [...operations.keys()].sort(),
    async serve(deps, req, res) {
      const requestId = randomUUID();
      const started = realClock.monotonic();
      const header = req.headers['x-amz-target'];
      const targetText = typeof header === 'string' ? header : '';
      const op = targetText.startsWith(target) ? targetText.slice(target.length) : '';
      const observe = (code: string | undefined): void => spec.observe?.(deps, op || '?', code, (realClock.monotonic() - started) / 1000);
      try {
        if (req.method !== 'POST') throw error('UnknownOperationException', 'Only POST / is supported.', 404);
        const raw = await readBody(req);
        if (!operations.has(op)) unknownOperation(op, targetText);
        const out = await invokeAsync(deps, op, parse(raw), { host: req.headers.host ?? '127.0.0.1', requestId });
        send(res, requestId, 200, out);
        observe(undefined);
      } catch (err) {
        if (err instanceof AwsServiceError) {
          deps.log.debug({ service: model.serviceId, op, errorType: err.code, requestId }, 'api error');
          send(res, requestId, err.status, err.toBody());
          observe(err.code);
          return;
        }
        // A client that went away mid-request is not the emulator's failure.
        if (req.destroyed || (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
          deps.log.debug({ service: model.serviceId, op, requestId }, 'client closed the connection mid-request');
          return;
        }
        deps.log.error({ service: model.serviceId, op, err, requestId }, 'api handler failed');
        send(res, requestId, 500, { __type: spec.internalError, message: 'Internal error.' });
        observe(spec.internalError);
      }
    },
  };
}
