/**
 * Secrets Manager on the emulator's port (AWS JSON 1.1, `X-Amz-Target: secretsmanager.<Op>`), through the
 * protocol kit: requests are checked against botocore's model (model.generated.ts); each operation runs in one
 * store transaction; request bodies (they carry secret values) are never logged.
 */
import { awsJsonService } from '../aws/service.js';
import type { ServiceDeps } from '../aws/service-deps.js';
import { SECRETSMANAGER_MODEL, type SecretsManagerModelErrorCode, type SecretsManagerOperations } from './model.generated.js';

export const secretsManager = awsJsonService<SecretsManagerOperations, SecretsManagerModelErrorCode, ServiceDeps>({
  model: SECRETSMANAGER_MODEL,
  internalError: 'InternalServiceError',
  run: (deps, operation) => deps.store.transaction(operation),
});
