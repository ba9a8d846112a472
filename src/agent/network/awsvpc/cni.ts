/**
 * Invoking a CNI plugin (the CNI spec's exec protocol): the network config on stdin, CNI_* variables in the
 * environment, a JSON result or error on stdout. berth uses the standard plugins (Debian's
 * containernetworking-plugins in /usr/lib/cni) instead of hand-made netlink calls.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { BerthError } from '../../../shared/errors.js';

export const CNI_VERSION = '1.0.0';

export interface CniRequest {
  pluginDir: string;
  command: 'ADD' | 'DEL';
  /** CNI_CONTAINERID: berth uses the pause container's Docker ID. */
  containerId: string;
  /** Path of the network namespace, e.g. /proc/<pid>/ns/net. */
  netns: string;
  ifName: string;
  config: Record<string, unknown> & { type: string; name: string };
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface CniResult {
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { interface?: number; address: string; gateway?: string }[];
  routes?: { dst: string; gw?: string }[];
}

export function runCni(req: CniRequest): Promise<CniResult> {
  const plugin = path.join(req.pluginDir, req.config.type);
  const stdin = JSON.stringify({ cniVersion: CNI_VERSION, ...req.config });
  return new Promise((resolve, reject) => {
    const child = spawn(plugin, [], {
      env: {
        PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        CNI_COMMAND: req.command,
        CNI_CONTAINERID: req.containerId,
        CNI_NETNS: req.netns,
        CNI_IFNAME: req.ifName,
        CNI_PATH: req.pluginDir,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: req.timeoutMs,
      ...(req.signal ? { signal: req.signal } : {}),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(new BerthError('ResourceInitializationError', `CNI ${req.config.type} ${req.command}: ${e.message}`, { cause: e })));
    child.on('close', (code) => {
      if (code === 0) {
        try {
          resolve(out.trim() === '' ? {} : (JSON.parse(out) as CniResult));
        } catch {
          resolve({});
        }
        return;
      }
      let msg = (err.trim() || out.trim() || `exit ${String(code)}`).slice(0, 500);
      try {
        const parsed = JSON.parse(out) as { msg?: string; details?: string };
        if (parsed.msg) msg = parsed.details ? `${parsed.msg}: ${parsed.details}` : parsed.msg;
      } catch {
        // not a CNI error object
      }
      reject(new BerthError('ResourceInitializationError', `CNI ${req.config.type} ${req.command} on ${req.ifName}: ${msg}`));
    });
    child.stdin.end(stdin);
  });
}

/** DEL of something already gone (namespace or link) counts as done: teardown must be repeatable. */
export function isGone(err: unknown): boolean {
  const m = (err as Error).message ?? '';
  return /Link not found|failed to open netns|no such file or directory|not found/i.test(m);
}
