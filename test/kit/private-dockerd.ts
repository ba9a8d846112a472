/**
 * A private Docker daemon for tests that restart Docker: its own socket, data root, exec root (so its own
 * containerd), bridge (berthdur0, 172.31.250.1/24, userland proxy, no iptables) and --live-restore, so that
 * containers survive a daemon restart. The host's dockerd (the one every other test uses) is never touched.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { waitUntil } from './wait.js';
import path from 'node:path';

const BRIDGE = 'berthdur0';

export interface PrivateDockerd {
  host: string;
  socket: string;
  docker(...args: string[]): string;
  /** SIGTERM the daemon and wait until it has exited (containers keep running: live-restore). */
  stop(): Promise<void>;
  /** Starts the daemon again the same way and waits until it answers. */
  start(): Promise<void>;
  /** Removes every container, stops the daemon, unmounts and deletes everything. Idempotent. */
  destroy(): Promise<void>;
}

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

const until = (what: string, probe: () => boolean, timeoutMs: number): Promise<true> => waitUntil(what, probe, { timeoutMs, intervalMs: 100 });

/** Where a private daemon lives and how it is started: its own socket, data and exec roots, pid file and bridge. */
export interface PrivateDockerdLayout {
  dir: string;
  host: string;
  socket: string;
  pidfile: string;
  /** dockerd's arguments (without the binary), for a spawn here or `BERTH_DOCKERD_ARGS` of scripts/ensure-docker. */
  args: string[];
}

/** Makes the directory and the bridge; nothing is started. */
export function privateDockerdLayout(): PrivateDockerdLayout {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-dockerd-'));
  const socket = path.join(dir, 'docker.sock');
  const pidfile = path.join(dir, 'docker.pid');
  const host = `unix://${socket}`;
  if (!existsSync(`/sys/class/net/${BRIDGE}`)) {
    sh('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
    sh('ip', ['addr', 'add', '172.31.250.1/24', 'dev', BRIDGE]);
    sh('ip', ['link', 'set', BRIDGE, 'up']);
  }
  const args = [
    '-H', host, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', pidfile,
    '--bridge', BRIDGE, '--iptables=false', '--ip-masq=false', '--storage-driver=overlay2', '--live-restore',
  ];
  return { dir, host, socket, pidfile, args };
}

/**
 * Starts a private daemon (`startPrivateDockerd`), or takes over one that something else started in `layout`
 * (`adopted`: scripts/ensure-docker in a test of the setup path); either way `destroy` removes it all.
 */
export async function startPrivateDockerd(layout: PrivateDockerdLayout = privateDockerdLayout(), adopted = false): Promise<PrivateDockerd> {
  const { dir, host, socket, pidfile } = layout;
  const docker = (...args: string[]): string => sh('docker', ['-H', host, ...args]);
  const answers = (): boolean => {
    try {
      docker('version', '--format', '{{.Server.Version}}');
      return true;
    } catch {
      return false;
    }
  };
  const pid = (): number | undefined => (existsSync(pidfile) ? Number(readFileSync(pidfile, 'utf8')) : undefined);
  const alive = (p: number | undefined): boolean => {
    if (!p) return false;
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  const start = async (): Promise<void> => {
    const child = spawn('dockerd', layout.args, { stdio: ['ignore', 'ignore', 'ignore'], detached: true });
    child.unref();
    await until('private dockerd', answers, 30_000);
  };
  const stop = async (): Promise<void> => {
    const p = pid();
    if (!alive(p)) return;
    process.kill(p!, 'SIGTERM');
    await until('private dockerd to exit', () => !alive(p), 30_000);
  };
  let destroyed = false;
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    try {
      if (!alive(pid())) await start();
      const ids = docker('ps', '-aq');
      if (ids) docker('rm', '-f', ...ids.split('\n'));
    } catch {
      // best effort: the daemon may be broken; what follows still cleans up the host
    }
    await stop().catch(() => undefined);
    try {
      sh('umount', [path.join(dir, 'data')]);
    } catch {
      // not mounted
    }
    rmSync(dir, { recursive: true, force: true });
    try {
      sh('ip', ['link', 'del', BRIDGE]);
    } catch {
      // already gone
    }
  };
  if (adopted) return { host, socket, docker, stop, start, destroy };
  try {
    await start();
    // The test image, copied from the host's daemon (busybox-static: about 1 MB).
    execFileSync('sh', ['-c', `docker save berth/busybox:latest | docker -H ${host} load`], { stdio: 'ignore' });
  } catch (err) {
    await destroy();
    throw err;
  }
  return { host, socket, docker, stop, start, destroy };
}

/** PIDs of the processes inside container `id` (read from /proc: works while the daemon is down). */
export function containerPids(id: string): number[] {
  const out: number[] = [];
  for (const entry of sh('ls', ['/proc']).split('\n')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cgroup`, 'utf8').includes(id)) out.push(Number(entry));
    } catch {
      // the process exited
    }
  }
  return out;
}
