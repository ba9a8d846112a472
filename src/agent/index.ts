/** `berth agent`: the public entry the CLI calls. */
export { loadConfig, type AgentConfig } from './config/config.js';
export { startAgent, exitCodeFor, type Agent } from './agent.js';
