/**
 * What the local endpoints report about a failed ECS call (tag lookups, task protection): the error code,
 * message, HTTP status and request id of an AWS service error, read structurally so that src/agent/http never
 * imports an AWS client. Anything else (a refused connection, a bug) has only a message.
 */
export interface AwsErrorFields {
  /** `ClientException`, `AccessDeniedException`, ...; undefined when the service never answered. */
  code: string | undefined;
  message: string;
  statusCode: number | undefined;
  requestId: string | undefined;
}

interface SdkLike {
  name?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

export function awsErrorFields(err: unknown): AwsErrorFields {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkLike;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const status = e.$metadata?.httpStatusCode;
  // Only an answer from the service (it has an HTTP status) makes the name an AWS error code.
  if (typeof status !== 'number') return { code: undefined, message, statusCode: undefined, requestId: undefined };
  const requestId = e.$metadata?.requestId;
  return { code: typeof e.name === 'string' ? e.name : undefined, message, statusCode: status, requestId: typeof requestId === 'string' ? requestId : undefined };
}
