/**
 * SSM Parameter Store on the emulator's port (AWS JSON 1.1, `X-Amz-Target: AmazonSSM.<Op>`), through the
 * protocol kit: requests are checked against botocore's model (model.generated.ts) with Coral's
 * ValidationException wording; each operation runs in one store transaction; values are never logged.
 */
import { awsJsonService } from '../aws/service.js';
import type { StoredServiceDeps } from '../aws/service-deps.js';
import type { ParametersStore } from './store.js';
import { SSM_MODEL, type SsmModelErrorCode, type SsmOperations } from './model.generated.js';

export type SsmDeps = StoredServiceDeps<ParametersStore>;

export const ssm = awsJsonService<SsmOperations, SsmModelErrorCode, SsmDeps>({
  model: SSM_MODEL,
  internalError: 'InternalServerError',
  run: (deps, operation) => deps.store.transaction(operation),
});
