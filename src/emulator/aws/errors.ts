/**
 * An AWS service error as the JSON protocols carry it: an HTTP status and `{"__type":"<Code>","message":"..."}`;
 * the SDKs and the aws CLI map `__type` to the exception's name. `Code` is the service's own union of error
 * codes (generated from its model, plus the protocol's common ones), so a misspelt exception name does not
 * compile.
 */
export class AwsServiceError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }

  toBody(): { __type: Code; message: string } {
    return { __type: this.code, message: this.message };
  }
}

/** Errors every AWS JSON service can answer with, whatever its model lists. */
export type CommonErrorCode =
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'ValidationException'
  | 'AccessDeniedException'
  | 'IncompleteSignature'
  | 'InvalidSignatureException'
  | 'MissingAuthenticationTokenException'
  | 'UnrecognizedClientException'
  | 'ThrottlingException'
  | 'InternalFailure'
  | 'ServiceUnavailable';
