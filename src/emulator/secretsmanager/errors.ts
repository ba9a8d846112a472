/**
 * Secrets Manager errors as its JSON 1.1 protocol shapes them: HTTP 400 with `{"__type":"<Type>","message":"..."}`
 * (the SDKs and the aws CLI map `__type` to the exception name).
 */
export type SecretsErrorType =
  | 'ResourceNotFoundException'
  | 'ResourceExistsException'
  | 'InvalidParameterException'
  | 'InvalidRequestException'
  | 'InvalidNextTokenException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'InternalServiceError';

export class SecretsError extends Error {
  constructor(
    readonly type: SecretsErrorType,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }

  toBody(): { __type: SecretsErrorType; message: string } {
    return { __type: this.type, message: this.message };
  }
}

export const secretNotFound = (): SecretsError => new SecretsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
export const invalidParameter = (message: string): SecretsError => new SecretsError('InvalidParameterException', message);
