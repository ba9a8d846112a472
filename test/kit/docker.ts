/**
 * Docker helpers for agent tests: containers by label, cleanup, and a throwaway local registry
 * (/usr/bin/docker-registry on 127.0.0.1:<free port>, storage in a temp dir) for pull tests.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const BUSYBOX = 'berth/busybox:latest';

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** IDs of all containers (running or not) carrying label=value. */
export function containersWithLabel(label: string, value: string): string[] {
  const out = docker('ps', '-aq', '--no-trunc', '--filter', `label=${label}=${value}`);
  return out ? out.split('\n') : [];
}

export function removeContainersWithLabel(label: string, value: string): void {
  removeContainers(containersWithLabel(label, value));
}

/**
 * `docker rm -f -v`, then the task cgroups the containers sat in (ECS_ENABLE_TASK_CPU_MEM_LIMIT): an agent removes
 * a task's cgroup at task cleanup, which a test that stops its agent earlier never reaches.
 */
export function removeContainers(ids: readonly string[]): void {
  if (ids.length === 0) return;
  let parents: string[] = [];
  try {
    parents = docker('inspect', '-f', '{{.HostConfig.CgroupParent}}', ...ids).split('\n').filter((p) => /^\/ecs\/[^/]+$|^ecstasks-[^/]+\.slice$/.test(p));
  } catch {
    // some were gone already
  }
  try {
    docker('rm', '-f', '-v', ...ids);
  } catch {
    // gone meanwhile
  }
  removeTaskCgroups(parents);
}

function removeTaskCgroups(parents: readonly string[]): void {
  const root = '/sys/fs/cgroup';
  for (const parent of new Set(parents)) {
    const dirs = parent.startsWith('/ecs/')
      ? readdirSafe(root).map((h) => path.join(root, h, parent))
      : [path.join(root, 'ecstasks.slice', parent)];
    for (const dir of dirs) {
      try {
        rmdirSync(dir);
      } catch {
        // not there, or still in use by a container of a test that runs on
      }
    }
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface LocalRegistry {
  host: string;
  stop(): Promise<void>;
}

export async function startLocalRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-registry-'));
  const port = await freePort();
  const configFile = path.join(dir, 'config.yml');
  writeFileSync(configFile, [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '',
  ].join('\n'));
  const child: ChildProcess = spawn('/usr/bin/docker-registry', ['serve', configFile], { stdio: 'ignore' });
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error('local registry did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
