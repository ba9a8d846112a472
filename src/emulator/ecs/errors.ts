/**
 * ECS-shaped errors: HTTP 400 with `{"__type":"<Type>","message":"..."}` (spec §2.1). The SDK maps `__type`
 * to the exception name, so these names are the ones clients see.
 */
export type EcsErrorType =
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'InvalidParameterException'
  | 'ClusterNotFoundException'
  | 'ClientException'
  | 'ServerException'
  | 'ServiceNotFoundException'
  | 'ServiceNotActiveException'
  | 'ClusterContainsContainerInstancesException'
  | 'ClusterContainsServicesException'
  | 'ClusterContainsTasksException'
  | 'TargetNotFoundException'
  | 'AttributeLimitExceededException'
  | 'ResourceNotFoundException'
  | 'LimitExceededException';

export class EcsError extends Error {
  readonly type: EcsErrorType;
  readonly status: number;

  constructor(type: EcsErrorType, message: string, status = 400) {
    super(message);
    this.name = type;
    this.type = type;
    this.status = status;
  }

  toBody(): { __type: EcsErrorType; message: string } {
    return { __type: this.type, message: this.message };
  }
}

export const invalidParameter = (message: string): EcsError => new EcsError('InvalidParameterException', message);
export const clusterNotFound = (): EcsError => new EcsError('ClusterNotFoundException', 'Cluster not found.');
export const taskDefinitionNotFound = (): EcsError =>
  new EcsError('ClientException', 'Unable to describe task definition.');
export const clientError = (message: string): EcsError => new EcsError('ClientException', message);
export const serviceNotFound = (): EcsError => new EcsError('ServiceNotFoundException', 'Service not found.');
