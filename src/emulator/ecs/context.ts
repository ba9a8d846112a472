import type { Logger } from '../../shared/log.js';
import type { Arns } from './arns.js';
import type { EcsStore } from './store.js';
import type { TelemetryView } from './tcs/telemetry.js';
import type { EniAttachments } from './eni-attachments.js';
import type { EmulatedEcr } from '../ecr/registry.js';

/** How the API tells the ACS side that tasks changed; implemented by the ACS hub. */
export interface TaskDelivery {
  isConnected(instanceArn: string): boolean;
  /** Push the current desired state of these tasks to the instance now (if connected; else on connect). */
  deliver(instanceArn: string, taskArns: readonly string[]): void;
}

/** How handlers tell the service controller that something it watches changed (tasks, instances, services). */
export interface ChangeSignal {
  /** Schedules a reconcile pass soon after the current transaction; cheap to call often. */
  changed(): void;
}

/** Everything a handler needs; one per emulator. */
export interface EmulatorContext {
  readonly store: EcsStore;
  readonly arns: Arns;
  readonly log: Logger;
  readonly delivery: TaskDelivery;
  /** Container and task health received over TCS (DescribeTasks healthStatus); absent = UNKNOWN. */
  readonly telemetry?: TelemetryView;
  /** Told about every API call once answered (Prometheus); error is the ECS error type. */
  readonly observeApi?: (operation: string, error: string | undefined, seconds: number) => void;
  readonly services: ChangeSignal;
  /** The simulated VPC for awsvpc tasks; absent when the emulator runs without one. */
  readonly vpc?: EniAttachments | undefined;
  /** The emulated ECR registry (GetAuthorizationToken); absent when none is configured. */
  readonly ecr?: EmulatedEcr | undefined;
  now(): number;
}

/** Per-request facts a handler may need. */
export interface CallInfo {
  /** The Host header the client used (host:port), so returned URLs point where the client can reach. */
  readonly host: string;
}
