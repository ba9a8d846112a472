/**
 * ECR errors as its JSON 1.1 protocol shapes them: HTTP 400 with `{"__type":"<Type>","message":"..."}` (the SDKs
 * and the aws CLI map `__type` to the exception name).
 */
export type EcrErrorType = 'InvalidParameterException' | 'SerializationException' | 'UnknownOperationException' | 'ServerException';

export class EcrError extends Error {
  constructor(
    readonly type: EcrErrorType,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }

  toBody(): { __type: EcrErrorType; message: string } {
    return { __type: this.type, message: this.message };
  }
}
