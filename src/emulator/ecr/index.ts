/** ECR: the service with every operation berth serves declared on it, its store and its built-in registry. */
import './repositories.js';
import './images.js';
import './lifecycle.js';

export { ecr, type EcrDeps } from './service.js';
export { openEcrStore, type EcrStore } from './store.js';
export { LocalRegistry } from './local-registry.js';
export { expireImages } from './lifecycle.js';
