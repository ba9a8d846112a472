/**
 * Secrets Manager on the emulator's port (AWS JSON 1.1, `X-Amz-Target: secretsmanager.<Op>`), through the
 * protocol kit: requests are checked against botocore's model (model.generated.ts); each operation runs in one
 * store transaction; request bodies (they carry secret values) are never logged.
 */
import { awsJsonService } from '../aws/service.js';
import type { StoredServiceDeps } from '../aws/service-deps.js';
import type { SecretsStore } from './store.js';
import { SECRETSMANAGER_MODEL, type SecretsManagerModelErrorCode, type SecretsManagerOperations } from './model.generated.js';

export type SecretsManagerDeps = StoredServiceDeps<SecretsStore>;

export const secretsManager = awsJsonService<SecretsManagerOperations, SecretsManagerModelErrorCode, SecretsManagerDeps>({
  model: SECRETSMANAGER_MODEL,
  internalError: 'InternalServiceError',
  run: (deps, operation) => deps.store.transaction(operation),
});
