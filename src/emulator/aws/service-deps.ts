/**
 * What a service beside ECS (Secrets Manager, SSM, ECR, ...) gets from the emulator: a logger, the account it
 * plays and the clock, plus its own store (`StoredServiceDeps`). Nothing of ECS: ECS may call these services'
 * narrow ports, never the reverse.
 */
import type { Logger } from '../../shared/log.js';

/** The one account and region an emulator plays. */
export interface Account {
  readonly region: string;
  readonly accountId: string;
}

export interface ServiceDeps {
  readonly log: Logger;
  readonly account: Account;
  now(): number;
}

/** A service that keeps state: its deps carry the store it opened on the emulator's database. */
export interface StoredServiceDeps<Store> extends ServiceDeps {
  readonly store: Store;
}
