/**
 * What a service beside ECS (Secrets Manager, SSM, ECR, ...) gets from the emulator: its store, a logger, the
 * account it plays and the clock. Nothing of ECS: ECS may call these services' narrow ports, never the reverse.
 */
import type { Logger } from '../../shared/log.js';
import type { EmulatorStore } from '../store/store.js';

/** The one account and region an emulator plays. */
export interface Account {
  readonly region: string;
  readonly accountId: string;
}

export interface ServiceDeps {
  readonly store: EmulatorStore;
  readonly log: Logger;
  readonly account: Account;
  now(): number;
}
