import { AwsServiceError, type CommonErrorCode } from '../aws/errors.js';
import type { EcsModelErrorCode } from './model.generated.js';

/**
 * ECS-shaped errors: HTTP 400 with `{"__type":"<Type>","message":"..."}` (spec §2.1). The SDK maps `__type`
 * to the exception name, so these names are the ones clients see.
 */
export type EcsErrorType = EcsModelErrorCode | CommonErrorCode;

export class EcsError extends AwsServiceError<EcsErrorType> {
  /** The exception name (`__type`). */
  get type(): EcsErrorType {
    return this.code;
  }
}

export const invalidParameter = (message: string): EcsError => new EcsError('InvalidParameterException', message);
export const clusterNotFound = (): EcsError => new EcsError('ClusterNotFoundException', 'Cluster not found.');
export const taskDefinitionNotFound = (): EcsError =>
  new EcsError('ClientException', 'Unable to describe task definition.');
export const clientError = (message: string): EcsError => new EcsError('ClientException', message);
export const serviceNotFound = (): EcsError => new EcsError('ServiceNotFoundException', 'Service not found.');
