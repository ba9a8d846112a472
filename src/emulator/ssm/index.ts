/** SSM Parameter Store: the service with every operation berth serves declared on it. */
import './operations.js';

export { ssm, type SsmDeps } from './service.js';
