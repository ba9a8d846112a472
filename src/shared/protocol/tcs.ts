/**
 * TCS messages (spec §7, tcs-api-2.json) and the agent's framing quirk: every agent frame is the header
 * block of a SigV4-signed `GET <ws URL>` whose body is the JSON envelope, a blank line, then that JSON.
 * Server frames are plain JSON envelopes.
 */
/** The TCS aggregate shapes (tcs-api-2.json): a window of samples folded into min / max / count / sum. */
export interface CWStatsSet {
  min: number;
  max: number;
  sampleCount: number;
  sum: number;
}

/** ULongStatsSet: the overflow* members carry the part above 2^63 the Go agent cannot fit; berth's never overflow. */
export interface ULongStatsSet extends CWStatsSet {
  overflowMin: number;
  overflowMax: number;
  overflowSum: number;
}

export interface NetworkStatsSet {
  rxBytes?: ULongStatsSet; rxDropped?: ULongStatsSet; rxErrors?: ULongStatsSet; rxPackets?: ULongStatsSet;
  txBytes?: ULongStatsSet; txDropped?: ULongStatsSet; txErrors?: ULongStatsSet; txPackets?: ULongStatsSet;
  rxBytesPerSecond?: CWStatsSet; txBytesPerSecond?: CWStatsSet;
}

export interface ContainerMetric {
  containerName: string;
  cpuStatsSet: CWStatsSet;
  memoryStatsSet: CWStatsSet;
  storageStatsSet?: { readSizeBytes: ULongStatsSet; writeSizeBytes: ULongStatsSet };
  networkStatsSet?: NetworkStatsSet;
}

export interface TaskMetric {
  taskArn: string;
  taskDefinitionFamily: string;
  taskDefinitionVersion: string;
  containerMetrics: ContainerMetric[];
}

export interface PublishMetricsRequest {
  metadata: { cluster: string; containerInstance: string; messageId: string; idle: boolean; fin: boolean };
  taskMetrics?: TaskMetric[];
  timestamp: number;
}

export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';

export interface TaskHealth {
  taskArn: string;
  taskDefinitionFamily: string;
  taskDefinitionVersion: string;
  containers: { containerName: string; healthStatus: HealthStatus; statusSince: number }[];
}

export interface PublishHealthRequest {
  metadata: { cluster: string; containerInstance: string; messageId: string; fin: boolean };
  tasks: TaskHealth[];
  timestamp: number;
}

export type InstanceHealthcheckStatus = 'OK' | 'IMPAIRED' | 'INSUFFICIENT_DATA' | 'INITIALIZING';

export interface InstanceStatus {
  type: string;
  status: InstanceHealthcheckStatus;
  lastUpdated: number;
  lastStatusChange: number;
}

export interface PublishInstanceStatusRequest {
  metadata: { cluster: string; containerInstance: string; requestId: string };
  statuses: InstanceStatus[];
  timestamp: number;
}

export interface TcsAgentMessages {
  PublishMetricsRequest: PublishMetricsRequest;
  PublishHealthRequest: PublishHealthRequest;
  PublishInstanceStatusRequest: PublishInstanceStatusRequest;
}

export type TcsEnvelope = { [K in keyof TcsAgentMessages]: { type: K; message: TcsAgentMessages[K] } }[keyof TcsAgentMessages];

/** Server frames the agent acts on; the rest are recognised and ignored. */
export type TcsServerFrame =
  | { kind: 'heartbeat'; healthy: boolean }
  | { kind: 'ack'; type: 'AckPublishMetric' | 'AckPublishHealth' | 'AckPublishInstanceStatus' }
  | { kind: 'other'; type: string }
  | { kind: 'malformed'; reason: string };

const ACK_TYPES = new Set(['AckPublishMetric', 'AckPublishHealth', 'AckPublishInstanceStatus']);

export function parseTcsServerFrame(text: string): TcsServerFrame {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  if (typeof v !== 'object' || v === null || typeof (v as { type?: unknown }).type !== 'string') {
    return { kind: 'malformed', reason: 'no type' };
  }
  const { type, message } = v as { type: string; message?: unknown };
  if (type === 'HeartbeatMessage') {
    return { kind: 'heartbeat', healthy: (message as { healthy?: unknown } | undefined)?.healthy === true };
  }
  if (ACK_TYPES.has(type)) return { kind: 'ack', type: type as 'AckPublishMetric' };
  return { kind: 'other', type };
}

/**
 * `Name: value\r\n` lines like Go's http.Header.Write (keys sorted, canonical case), a blank line, the JSON.
 * `headers` are the SigV4 output for a GET of the ws URL signed over `json`.
 */
export function encodeTcsFrame(headers: Record<string, string>, json: string): string {
  const canonical = (k: string): string => k.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1).toLowerCase()).join('-');
  const lines = Object.entries(headers)
    .map(([k, v]) => [canonical(k), v] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}: ${v}\r\n`);
  return `${lines.join('')}\r\n${json}`;
}

/**
 * An agent frame as the control plane first reads it: the envelope's type and its message object, not yet trusted
 * (the official agent's and berth's publishes both arrive here; members are read defensively).
 */
export interface TcsAgentFrame {
  type: string;
  message: Record<string, unknown>;
}

/**
 * Every agent frame is a SigV4 header block, a blank line, then the JSON envelope (spec §7); frames without a
 * header block are read too. undefined for anything that is not `{"type": string, "message"?: object}`.
 */
export function parseTcsAgentFrame(raw: string): TcsAgentFrame | undefined {
  const sep = raw.indexOf('\r\n\r\n');
  const json = sep === -1 ? raw : raw.slice(sep + 4);
  try {
    const v: unknown = JSON.parse(json);
    if (typeof v !== 'object' || v === null || typeof (v as { type?: unknown }).type !== 'string') return undefined;
    const message = (v as { message?: unknown }).message;
    if (message !== undefined && (typeof message !== 'object' || message === null || Array.isArray(message))) return undefined;
    return { type: (v as { type: string }).type, message: (message ?? {}) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** The envelope's type, or undefined for anything unreadable. */
export function tcsFrameType(raw: string): string | undefined {
  return parseTcsAgentFrame(raw)?.type;
}
