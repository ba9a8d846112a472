/**
 * How long to wait before the next ACS connection attempt (spec §4.3), as a pure decision over how the last
 * connection ended:
 *
 *   server closed with 1000/1001/1006/1011 ........ now (backoff reset)
 *   we expired it (planned reconnect, 1000) ........ now (backoff reset)
 *   inactivity / read deadline / other close code .. backoff(250ms, 2m, x1.5, j0.2)
 *   dial / handshake / DiscoverPollEndpoint failure  backoff
 *   handshake said InactiveInstanceException ...... 1h
 */
import type { Backoff } from '../../shared/time.js';

export const NORMAL_CLOSE_CODES: readonly number[] = [1000, 1001, 1006, 1011];
export const INACTIVE_INSTANCE_WAIT_MS = 3600_000;

/** Why a connection that was open ended. `server` covers every close we did not start ourselves. */
export type CloseCause = 'server' | 'inactive' | 'deadline' | 'expired';

export type ConnectionEnd =
  | { kind: 'closed'; code: number; cause: CloseCause }
  | { kind: 'failed'; inactiveInstance: boolean };

export function reconnectDelay(end: ConnectionEnd, backoff: Backoff): number {
  if (end.kind === 'failed') return end.inactiveInstance ? INACTIVE_INSTANCE_WAIT_MS : backoff.next();
  if (end.cause === 'expired' || (end.cause === 'server' && NORMAL_CLOSE_CODES.includes(end.code))) {
    backoff.reset();
    return 0;
  }
  return backoff.next();
}
