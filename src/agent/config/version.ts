/** What berth tells the control plane about itself (ACS query, User-Agent, metadata). */
export const AGENT_VERSION = '0.1.0';
/** Stands in for the official agent's git short hash. */
export const AGENT_HASH = 'berth';
