/**
 * CloudWatch Logs on the emulator's port (AWS JSON 1.1, `X-Amz-Target: Logs_20140328.<Op>`), through the
 * protocol kit. CloudWatch Logs answers a request that breaks the model's constraints with
 * InvalidParameterException in Coral's words ("1 validation error detected: Value 'a b' at 'logGroupName' failed
 * to satisfy constraint: ..."), so only the code differs from the kit's default. Each operation runs in one store
 * transaction. PutLogEvents bodies may be a little over the 1 MiB batch limit in JSON, so the body cap is larger
 * and the batch itself is measured as CloudWatch measures it (operations check it).
 */
import { awsJsonService, defaultProblemError, type RequestProblem } from '../aws/service.js';
import type { StoredServiceDeps } from '../aws/service-deps.js';
import { AwsServiceError, type CommonErrorCode } from '../aws/errors.js';
import type { LogsStore } from './store.js';
import { LOGS_MODEL, type LogsModelErrorCode, type LogsOperations } from './model.generated.js';

export type LogsDeps = StoredServiceDeps<LogsStore>;

function logsProblemError(problems: readonly RequestProblem[]): AwsServiceError<LogsModelErrorCode | CommonErrorCode> {
  const fallback = defaultProblemError(problems);
  if (fallback.code !== 'ValidationException') return fallback;
  return new AwsServiceError('InvalidParameterException', fallback.message);
}

export const logs = awsJsonService<LogsOperations, LogsModelErrorCode, LogsDeps>({
  model: LOGS_MODEL,
  internalError: 'ServiceUnavailableException',
  maxBodyBytes: 8 * 1024 * 1024,
  problemError: logsProblemError,
  run: (deps, operation) => deps.store.transaction(operation),
});

export function invalidParameter(message: string): AwsServiceError<LogsModelErrorCode | CommonErrorCode> {
  return logs.error('InvalidParameterException', message);
}

export function groupNotFound(): AwsServiceError<LogsModelErrorCode | CommonErrorCode> {
  return logs.error('ResourceNotFoundException', 'The specified log group does not exist.');
}

export function streamNotFound(): AwsServiceError<LogsModelErrorCode | CommonErrorCode> {
  return logs.error('ResourceNotFoundException', 'The specified log stream does not exist.');
}
