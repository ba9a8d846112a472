/**
 * Routes berth adds inside a task's network namespace itself, where the standard CNI plugins have no option
 * for them. ECS_AWSVPC_BLOCK_IMDS: the official ecs-eni plugin adds a blackhole route for the instance metadata
 * address (169.254.169.254/32) in the task namespace, so nothing in the task reaches IMDS through the ENI or
 * any other link; berth's host-device plugin cannot, so berth adds the same route with `ip` run in the
 * namespace (nsenter). `replace` keeps it repeatable: a resumed setup after an agent restart adds nothing twice.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BerthError } from '../../../shared/errors.js';

const run = promisify(execFile);

export const INSTANCE_METADATA_CIDR = '169.254.169.254/32';

/** `ip route replace blackhole 169.254.169.254/32` inside the namespace at `netns` (/proc/<pid>/ns/net). */
export async function blockInstanceMetadata(netns: string, signal?: AbortSignal): Promise<void> {
  try {
    await run('nsenter', [`--net=${netns}`, 'ip', 'route', 'replace', 'blackhole', INSTANCE_METADATA_CIDR], { timeout: 10_000, ...(signal ? { signal } : {}) });
  } catch (err) {
    throw new BerthError('ResourceInitializationError', `cannot block instance metadata in the task namespace: ${(err as Error).message}`, { cause: err });
  }
}
