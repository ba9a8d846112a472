/**
 * SSM errors as its JSON 1.1 protocol shapes them: HTTP 400 with `{"__type":"<Type>","message":"..."}` (the
 * SDKs and the aws CLI map `__type` to the exception name).
 */
export type SsmErrorType =
  | 'ParameterNotFound'
  | 'ParameterAlreadyExists'
  | 'ParameterMaxVersionLimitExceeded'
  | 'UnsupportedParameterType'
  | 'HierarchyLevelLimitExceededException'
  | 'ValidationException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'InternalServerError';

export class SsmError extends Error {
  constructor(
    readonly type: SsmErrorType,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }

  toBody(): { __type: SsmErrorType; message: string } {
    return { __type: this.type, message: this.message };
  }
}

export const validation = (message: string): SsmError => new SsmError('ValidationException', message);
export const parameterNotFound = (name: string): SsmError => new SsmError('ParameterNotFound', `Parameter ${name} not found.`);
