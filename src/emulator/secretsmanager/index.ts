/** Secrets Manager: the service with every operation berth serves declared on it. */
import './operations.js';

export { secretsManager, type SecretsManagerDeps } from './service.js';
