/**
 * Can this instance really run awsvpc tasks? Only then does it register ecs.capability.task-eni (§1.5):
 * root (links move between namespaces), the CNI plugins berth uses, `ip`, and the pause image (built locally
 * by scripts/build-pause-image; berth never pulls it). ECS_EXTERNAL instances need ECS_ENABLE_TASK_ENI=true.
 */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import type { AgentConfig } from '../../config/config.js';
import type { ContainerRuntime } from '../../runtime/runtime.js';
import { DEFAULT_PAUSE_IMAGE } from './task-network.js';

export const CNI_PLUGINS = ['host-device', 'static', 'bridge', 'host-local'] as const;

export type AwsvpcSupport = { ok: true } | { ok: false; reason: string };

async function executable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(cmd: string): Promise<boolean> {
  const dirs = (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  for (const d of dirs) if (d && (await executable(path.join(d, cmd)))) return true;
  return false;
}

export async function awsvpcSupport(opts: {
  config: Pick<AgentConfig, 'taskEni' | 'external' | 'cniPluginsPath'>;
  runtime: Pick<ContainerRuntime, 'imageExists'>;
  signal: AbortSignal;
  isRoot?: boolean;
  pauseImage?: string;
}): Promise<AwsvpcSupport> {
  const { config } = opts;
  if (config.taskEni === false) return { ok: false, reason: 'ECS_ENABLE_TASK_ENI=false' };
  if (config.external && config.taskEni !== true) return { ok: false, reason: 'ECS_EXTERNAL instances need ECS_ENABLE_TASK_ENI=true' };
  const root = opts.isRoot ?? (typeof process.getuid === 'function' && process.getuid() === 0);
  if (!root) return { ok: false, reason: 'not running as root' };
  for (const plugin of CNI_PLUGINS) {
    if (!(await executable(path.join(config.cniPluginsPath, plugin)))) {
      return { ok: false, reason: `CNI plugin ${plugin} not found in ${config.cniPluginsPath} (apt-get install containernetworking-plugins)` };
    }
  }
  if (!(await onPath('ip'))) return { ok: false, reason: 'ip (iproute2) not found' };
  const image = opts.pauseImage ?? DEFAULT_PAUSE_IMAGE;
  if (!(await opts.runtime.imageExists(image, opts.signal))) return { ok: false, reason: `pause image ${image} missing (run scripts/build-pause-image)` };
  return { ok: true };
}
