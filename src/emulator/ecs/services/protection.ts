/**
 * Task scale-in protection (UpdateTaskProtection / GetTaskProtection), pure. A protected task keeps
 * `protectionExpiresAt` (epoch ms) on its record; protection is in force while that lies in the future, so an
 * expiry needs no timer: the next reconcile pass (or read) after it simply sees the task unprotected.
 *
 * What protection means to a service (ECS: "not terminated by scale-in events from service auto scaling or
 * deployments"): reconcile.ts never picks a protected task to stop for a lower desiredCount or to replace it
 * with a newer deployment; a scale-in stops unprotected tasks only, and a rollout waits for the protection to
 * be lifted or to expire. StopTask, DeleteService and tasks on DRAINING instances are not scale-in events.
 */
import type { TaskRecord } from '../records.js';

/** ECS's default protection period (2 h) and the longest allowed (48 h). */
export const DEFAULT_PROTECTION_MINUTES = 120;
export const MAX_PROTECTION_MINUTES = 2880;

export function isProtected(t: Pick<TaskRecord, 'protectionExpiresAt'>, now: number): boolean {
  return t.protectionExpiresAt !== undefined && t.protectionExpiresAt > now;
}

/** The task after UpdateTaskProtection: enabling (re)starts the period from now, disabling clears it. */
export function withProtection(t: TaskRecord, enabled: boolean, minutes: number | undefined, now: number): TaskRecord {
  const { protectionExpiresAt: _old, ...rest } = t;
  if (!enabled) return rest;
  return { ...rest, protectionExpiresAt: now + (minutes ?? DEFAULT_PROTECTION_MINUTES) * 60_000 };
}

/** ProtectedTask as the API returns it (expirationDate only while protected; epoch seconds). */
export function protectedTaskView(t: TaskRecord, now: number): { taskArn: string; protectionEnabled: boolean; expirationDate?: number } {
  return isProtected(t, now)
    ? { taskArn: t.arn, protectionEnabled: true, expirationDate: t.protectionExpiresAt! / 1000 }
    : { taskArn: t.arn, protectionEnabled: false };
}
