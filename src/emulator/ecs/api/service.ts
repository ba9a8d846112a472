/**
 * The ECS API on the protocol kit (AWS JSON 1.1, `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Op>`):
 * requests are checked against botocore's ECS model (../model.generated.ts), each operation runs in one store
 * transaction, every call is observed for /metrics. ECS answers bad requests with InvalidParameterException (not
 * Coral's ValidationException), worded as below.
 */
import { awsJsonService, type CallInfo, type OperationOutput, type RequestProblem } from '../../aws/service.js';
import type { EmulatorContext } from '../context.js';
import { EcsError, type EcsErrorType } from '../errors.js';
import { validateInput, type InputSpec } from '../validate.js';
import { ECS_MODEL, type EcsModelErrorCode, type EcsOperations } from '../model.generated.js';

const MAX_BODY = 10 * 1024 * 1024;

function ecsProblemError(problems: readonly RequestProblem[]): EcsError {
  const p = problems.find((x) => x.kind === 'type') ?? problems[0]!;
  switch (p.kind) {
    case 'type':
      return new EcsError('InvalidParameterException', `Invalid type for parameter ${p.path}: expected ${p.expected}`);
    case 'required':
      return new EcsError('InvalidParameterException', `Missing required parameter: ${p.path}`);
    case 'enum':
      return new EcsError('InvalidParameterException', `Invalid value for parameter ${p.path}: '${p.value}', expected one of ${p.allowed.join(', ')}`);
    case 'not-emulated':
      return new EcsError('InvalidParameterException', `${p.path} of ${p.operation} is not emulated by berth`);
    case 'pattern':
      return new EcsError('InvalidParameterException', `Invalid value for parameter ${p.path}: '${p.value}' does not match ${p.pattern}`);
    default:
      return new EcsError('InvalidParameterException', `Invalid value for parameter ${p.path}: must be ${p.kind.startsWith('min') ? 'at least' : 'at most'} ${p.limit}${p.kind.endsWith('length') ? ' long' : ''}`);
  }
}

export const ecs = awsJsonService<EcsOperations, EcsModelErrorCode, EmulatorContext>({
  model: ECS_MODEL,
  internalError: 'ServerException',
  maxBodyBytes: MAX_BODY,
  problemError: ecsProblemError,
  // The request's own members only: nested members are checked by the operations in ECS's words (a secret without
  // a name is "secrets[0].name should not be null or empty"), until the ECS fidelity work moves them here.
  modelCheckDepth: 1,
  run: (ctx, operation) => ctx.store.transaction(operation),
  observe: (ctx, operation, error, seconds) => ctx.observeApi?.(operation, error, seconds),
});

/**
 * One ECS operation: its request type is the model's; `input` holds the member checks the model cannot express
 * (list bounds, allowed list values) in ECS's wording.
 */
/** Each declared operation's honoured members and the ones it refuses, by operation (tests compare them with the model). */
export const ECS_INPUT_SPECS = new Map<string, { input: InputSpec; notEmulated: readonly string[] }>();

export function ecsOperation<K extends keyof EcsOperations & string>(name: K, def: {
  input: InputSpec;
  /** Model members berth does not honour: a request that sets one is refused by name, never half-served. */
  notEmulated?: readonly (keyof EcsOperations[K] & string)[];
  errors?: readonly EcsErrorType[];
  handle(ctx: EmulatorContext, input: EcsOperations[K], call: CallInfo): OperationOutput;
}): void {
  ECS_INPUT_SPECS.set(name, { input: def.input, notEmulated: def.notEmulated ?? [] });
  ecs.operation(name, {
    ...(def.notEmulated ? { notEmulated: def.notEmulated } : {}),
    check: (input) => validateInput(def.input, input as unknown as Record<string, unknown>),
    handle: def.handle,
  });
}
