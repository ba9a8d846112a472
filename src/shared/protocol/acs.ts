/**
 * ACS messages as one discriminated union (spec §3.1-§3.2), parsed and validated at the edge.
 * Every frame is a text frame `{"type":"<ShapeName>","message":{...}}`.
 */
import type {
  AcsTask,
  ElasticNetworkInterface,
  IAMRoleCredentials,
  TaskIdentifier,
} from './acs-shapes.js';

export type * from './acs-shapes.js';

export interface PayloadMessage {
  messageId?: string;
  clusterArn?: string;
  containerInstanceArn?: string;
  seqNum?: number;
  generatedAt?: number;
  timeline?: number;
  tasks?: AcsTask[];
}

export interface HeartbeatMessage {
  messageId?: string;
  healthy?: boolean;
}

export interface IAMRoleCredentialsMessage {
  messageId?: string;
  taskArn?: string;
  taskClusterArn?: string;
  roleType?: 'TaskApplication' | 'TaskExecution';
  roleCredentials?: IAMRoleCredentials;
}

export interface AttachTaskNetworkInterfacesMessage {
  messageId?: string;
  clusterArn?: string;
  containerInstanceArn?: string;
  taskArn?: string;
  taskClusterArn?: string;
  generatedAt?: number;
  waitTimeoutMs?: number;
  elasticNetworkInterfaces?: ElasticNetworkInterface[];
}

export interface AttachInstanceNetworkInterfacesMessage {
  messageId?: string;
  clusterArn?: string;
  containerInstanceArn?: string;
  generatedAt?: number;
  waitTimeoutMs?: number;
  elasticNetworkInterfaces?: ElasticNetworkInterface[];
}

export interface TaskManifestMessage {
  messageId?: string;
  clusterArn?: string;
  containerInstanceArn?: string;
  generatedAt?: number;
  timeline?: number;
  tasks?: TaskIdentifier[];
}

export interface TaskStopVerificationAck {
  messageId?: string;
  generatedAt?: number;
  stopTasks?: TaskIdentifier[];
}

export interface TaskStopVerificationMessage {
  messageId?: string;
  stopCandidates?: TaskIdentifier[];
}

export interface AckRequest {
  cluster?: string;
  containerInstance?: string;
  messageId?: string;
}

export interface NackRequest extends AckRequest {
  reason?: string;
}

export interface HeartbeatAckRequest {
  messageId?: string;
}

export interface IAMRoleCredentialsAckRequest {
  messageId?: string;
  expiration?: string;
  credentialsId?: string;
}

export interface MessageOnly {
  message?: string;
}

/** Messages the control plane sends to the agent. */
export interface ServerMessages {
  PayloadMessage: PayloadMessage;
  HeartbeatMessage: HeartbeatMessage;
  IAMRoleCredentialsMessage: IAMRoleCredentialsMessage;
  AttachTaskNetworkInterfacesMessage: AttachTaskNetworkInterfacesMessage;
  AttachInstanceNetworkInterfacesMessage: AttachInstanceNetworkInterfacesMessage;
  TaskManifestMessage: TaskManifestMessage;
  TaskStopVerificationAck: TaskStopVerificationAck;
  CloseMessage: MessageOnly;
  ErrorMessage: MessageOnly;
}

/** Messages the agent sends to the control plane. */
export interface AgentMessages {
  AckRequest: AckRequest;
  NackRequest: NackRequest;
  HeartbeatAckRequest: HeartbeatAckRequest;
  IAMRoleCredentialsAckRequest: IAMRoleCredentialsAckRequest;
  TaskStopVerificationMessage: TaskStopVerificationMessage;
}

export type Envelope<M> = { [K in keyof M]: { type: K; message: M[K] } }[keyof M];
export type ServerEnvelope = Envelope<ServerMessages>;
export type AgentEnvelope = Envelope<AgentMessages>;

export const SERVER_MESSAGE_TYPES: readonly (keyof ServerMessages)[] = [
  'PayloadMessage',
  'HeartbeatMessage',
  'IAMRoleCredentialsMessage',
  'AttachTaskNetworkInterfacesMessage',
  'AttachInstanceNetworkInterfacesMessage',
  'TaskManifestMessage',
  'TaskStopVerificationAck',
  'CloseMessage',
  'ErrorMessage',
];

export const AGENT_MESSAGE_TYPES: readonly (keyof AgentMessages)[] = [
  'AckRequest',
  'NackRequest',
  'HeartbeatAckRequest',
  'IAMRoleCredentialsAckRequest',
  'TaskStopVerificationMessage',
];

/** The typed ACS errors a server may send instead of a message (§2.5). */
export const ACS_ERROR_TYPES = [
  'ServerException',
  'BadRequestException',
  'InvalidClusterException',
  'InvalidInstanceException',
  'AccessDeniedException',
  'InactiveInstanceException',
] as const;
export type AcsErrorType = (typeof ACS_ERROR_TYPES)[number];

export type ParseResult<E> =
  | { ok: true; envelope: E }
  | { ok: false; kind: 'malformed'; reason: string }
  | { ok: false; kind: 'unknown-type'; type: string }
  | { ok: false; kind: 'error'; errorType: AcsErrorType; message: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseFrame<E>(raw: string, known: readonly string[]): ParseResult<E> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { ok: false, kind: 'malformed', reason: `not JSON: ${(err as Error).message}` };
  }
  if (!isObject(value)) return { ok: false, kind: 'malformed', reason: 'frame is not a JSON object' };
  const type = value['type'];
  if (typeof type !== 'string') {
    // The unframed error form {"<ErrType>":"<msg>"} (§3.1).
    const keys = Object.keys(value);
    const errType = keys.length === 1 ? (ACS_ERROR_TYPES as readonly string[]).find((t) => t === keys[0]) : undefined;
    if (errType) return { ok: false, kind: 'error', errorType: errType as AcsErrorType, message: String(value[errType]) };
    return { ok: false, kind: 'malformed', reason: 'frame has no "type"' };
  }
  const message = value['message'];
  if ((ACS_ERROR_TYPES as readonly string[]).includes(type)) {
    const text = isObject(message) ? String(message['message'] ?? '') : String(message ?? '');
    return { ok: false, kind: 'error', errorType: type as AcsErrorType, message: text };
  }
  if (!known.includes(type)) return { ok: false, kind: 'unknown-type', type };
  if (!isObject(message)) return { ok: false, kind: 'malformed', reason: `"message" of ${type} is not an object` };
  return { ok: true, envelope: { type, message } as E };
}

export function parseServerFrame(raw: string): ParseResult<ServerEnvelope> {
  return parseFrame<ServerEnvelope>(raw, SERVER_MESSAGE_TYPES);
}

export function parseAgentFrame(raw: string): ParseResult<AgentEnvelope> {
  return parseFrame<AgentEnvelope>(raw, AGENT_MESSAGE_TYPES);
}

export function encodeFrame<M, K extends keyof M & string>(type: K, message: M[K]): string {
  return JSON.stringify({ type, message });
}
