/**
 * One registry of berth's error names. On the agent side the `code` is the official error name that becomes
 * a container's stop reason upstream (`"<code>: <message>"`, spec §5.6); `retriable` tells the caller whether
 * trying again can help.
 */
export const AGENT_ERROR_CODES = {
  CannotPullContainerError: { retriable: true },
  /** Private registry credentials (ASM) could not be read: no execution role credentials, no secret, bad JSON. */
  CannotPullContainerAuthError: { retriable: false },
  /** ECR registry credentials could not be had: GetAuthorizationToken failed, or no execution role credentials. */
  CannotPullECRContainerError: { retriable: false },
  CannotCreateContainerError: { retriable: false },
  CannotStartContainerError: { retriable: false },
  CannotStopContainerError: { retriable: true },
  CannotInspectContainerError: { retriable: true },
  CannotRemoveContainerError: { retriable: true },
  DockerTimeoutError: { retriable: true },
  ResourceInitializationError: { retriable: false },
  CannotRemoveImageError: { retriable: true },
  OutOfMemoryError: { retriable: false },
  DockerStateError: { retriable: false },
  ContainerVanishedError: { retriable: false },
  TaskStoppedBeforePullBeginError: { retriable: false },
  DockerClientConfigError: { retriable: false },
  HostConfigError: { retriable: false },
  TaskDependencyError: { retriable: false },
  UnrecogniedTaskError: { retriable: false },
  DockerUnavailableError: { retriable: true },
  ContainerdUnavailableError: { retriable: false },
  AcsUnreachableError: { retriable: true },
  ConfigError: { retriable: false },
  RegistrationError: { retriable: true },
  AttributeError: { retriable: false },
  ClusterMismatchError: { retriable: false },
  StateStoreError: { retriable: false },
} as const;

export type AgentErrorCode = keyof typeof AGENT_ERROR_CODES;

export class BerthError extends Error {
  readonly code: AgentErrorCode;
  readonly retriable: boolean;

  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = code;
    this.code = code;
    this.retriable = options?.retriable ?? AGENT_ERROR_CODES[code].retriable;
  }

  /** The form the official agent reports upstream: "<ErrorName>: <message>". */
  toReason(limit = 255): string {
    return `${this.code}: ${this.message}`.slice(0, limit);
  }
}

export function isBerthError(err: unknown, code?: AgentErrorCode): err is BerthError {
  return err instanceof BerthError && (code === undefined || err.code === code);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
