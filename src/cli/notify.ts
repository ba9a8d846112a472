/**
 * sd_notify(3) for `Type=notify` units. NOTIFY_SOCKET is a unix datagram socket, which Node cannot write to,
 * so the message goes through systemd's own `systemd-notify` (the unit sets NotifyAccess=all, because the sender
 * is that child process, not the main PID). systemd-notify (v246+) waits until the manager has read the message,
 * so the child exiting early cannot lose it. Without NOTIFY_SOCKET (not under systemd) this does nothing.
 */
import { execFile } from 'node:child_process';
import type { Logger } from '../shared/log.js';

const NOTIFY_TIMEOUT_MS = 10_000;

export type NotifyState = { ready: true; status?: string } | { stopping: true } | { status: string };

function argsFor(state: NotifyState): string[] {
  if ('ready' in state) return ['--ready', ...(state.status ? [`--status=${state.status}`] : [])];
  if ('stopping' in state) return ['STOPPING=1'];
  return [`--status=${state.status}`];
}

/** Resolves true when systemd was told, false when there is no NOTIFY_SOCKET; never throws. */
export function sdNotify(state: NotifyState, env: NodeJS.ProcessEnv, log: Logger): Promise<boolean> {
  if (!env['NOTIFY_SOCKET']) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile('systemd-notify', argsFor(state), { env, timeout: NOTIFY_TIMEOUT_MS }, (err, _stdout, stderr) => {
      if (err) {
        log.warn({ err: err.message, stderr: stderr.trim() }, 'could not notify systemd');
        resolve(false);
      } else resolve(true);
    });
  });
}
