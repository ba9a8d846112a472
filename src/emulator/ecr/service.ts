/**
 * Amazon ECR on the emulator's port (AWS JSON 1.1, `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Op>`),
 * through the protocol kit. ECR words its request checks its own way (InvalidParameterException, "Invalid
 * parameter at '<member>' failed to satisfy constraint: '...'"), so it renders them itself. Answers carry the
 * registry's password and are never logged.
 */
import { awsJsonService, defaultProblemError, type RequestProblem } from '../aws/service.js';
import type { ServiceDeps } from '../aws/service-deps.js';
import { AwsServiceError, type CommonErrorCode } from '../aws/errors.js';
import type { EmulatedEcr } from './registry.js';
import type { EcrStore } from './store.js';
import type { LocalRegistry } from './local-registry.js';
import { ECR_MODEL, type EcrModelErrorCode, type EcrOperations } from './model.generated.js';

/**
 * ECR's deps: the common ones, its store, the emulated registry as tokens and tasks see it (`ecr`), and the
 * built-in registry (`local`; absent when an external --ecr-registry plays ECR or none can run here).
 */
export interface EcrDeps extends ServiceDeps {
  readonly store: EcrStore;
  readonly ecr?: EmulatedEcr | undefined;
  readonly local?: LocalRegistry | undefined;
}

function constraint(p: RequestProblem): string | undefined {
  switch (p.kind) {
    case 'min-length':
    case 'max-length':
      return `Member must have length between ${p.bounds.min ?? 0} and ${p.bounds.max ?? 'unbounded'}`;
    case 'min-value':
    case 'max-value':
      return `Member must have value between ${p.bounds.min ?? '-unbounded'} and ${p.bounds.max ?? 'unbounded'}`;
    case 'pattern':
      return `Member must satisfy regular expression pattern: ${p.pattern}`;
    case 'enum':
      return `Member must satisfy enum value set: [${p.allowed.join(', ')}]`;
    case 'required':
      return 'Member must not be null';
    default:
      return undefined;
  }
}

function ecrProblemError(problems: readonly RequestProblem[]): AwsServiceError<EcrModelErrorCode | CommonErrorCode> {
  const first = problems.find((p) => p.kind !== 'type' && p.kind !== 'not-emulated');
  const text = first ? constraint(first) : undefined;
  if (problems.some((p) => p.kind === 'type') || !first || !text) return defaultProblemError(problems);
  const member = first.path.replace(/\[\d+\]/g, '');
  const value = first.kind === 'pattern' ? ` (${JSON.stringify(first.value)})` : '';
  return new AwsServiceError('InvalidParameterException', `Invalid parameter at '${member}' failed to satisfy constraint: '${text}'${value}`);
}

export const ecr = awsJsonService<EcrOperations, EcrModelErrorCode, EcrDeps>({
  model: ECR_MODEL,
  internalError: 'ServerException',
  maxBodyBytes: 64 * 1024,
  problemError: ecrProblemError,
  run: (deps, operation) => deps.store.transaction(operation),
});
