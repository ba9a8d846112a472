/** What every ACS responder gets: a way to answer on the current connection, and the agent's parts. */
import type { AgentMessages } from '../../../shared/protocol/acs.js';
import type { Logger } from '../../../shared/log.js';
import type { TaskManager } from '../../engine/task-manager.js';
import type { Reporter } from '../../reporter/reporter.js';
import type { CredentialsStore } from '../../credentials/store.js';
import type { ManifestState } from './manifest-state.js';
import type { EniAttachments } from '../../network/awsvpc/attachments.js';

export interface AcsSend {
  <K extends keyof AgentMessages & string>(type: K, message: AgentMessages[K]): void;
}

export interface ResponderContext {
  send: AcsSend;
  cluster: string;
  containerInstanceArn: string;
  engine: TaskManager;
  reporter: Reporter;
  credentials: CredentialsStore;
  /** latestSeqNum (persisted) and the last manifest's messageId, for TaskStopVerificationAck (§4.2). */
  manifest: ManifestState;
  /** Task ENI attachments (awsvpc); undefined when the instance cannot do awsvpc. */
  enis?: EniAttachments | undefined;
  log: Logger;
}
