/** ECR: the service with every operation berth serves declared on it. */
import './operations.js';

export { ecr, type EcrDeps } from './service.js';
