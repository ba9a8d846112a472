/** CloudWatch Logs: the service with every operation berth serves declared on it, its store and its retention sweep. */
import './groups.js';
import './events.js';

export { logs, type LogsDeps } from './service.js';
export { openLogsStore, type LogsStore } from './store.js';
export { RetentionSweep } from './retention.js';
