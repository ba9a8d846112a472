/**
 * Local Docker registries for private-registry tests: /usr/bin/docker-registry on 127.0.0.1 (Docker treats
 * loopback registries as insecure, so plain HTTP works), optionally behind htpasswd. Stopped in teardown.
 */
import type { Test } from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUSYBOX, docker, freePort } from './docker.js';

export const haveRegistryTools = existsSync('/usr/bin/docker-registry') && existsSync('/usr/bin/htpasswd');

/** Serves the registry stored under `dir` (data in dir/data); with `auth`, dir/htpasswd guards it. host:port. */
export async function serveRegistry(t: Test, dir: string, auth: boolean): Promise<string> {
  const port = await freePort();
  const config = path.join(dir, `config-${port}.yml`);
  writeFileSync(config, [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    'http:',
    `  addr: 127.0.0.1:${port}`,
    ...(auth ? ['auth:', '  htpasswd:', '    realm: berth', `    path: ${path.join(dir, 'htpasswd')}`] : []),
    '',
  ].join('\n'));
  const child = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: 'ignore' });
  t.teardown(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (up) return `127.0.0.1:${port}`;
    if (Date.now() > deadline) throw new Error('registry did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface PrivateRegistry {
  /** host:port of the htpasswd-guarded registry. */
  host: string;
  /** An image (busybox) that exists only in that registry: not in the local Docker. */
  image: string;
}

/**
 * A registry behind htpasswd (`user` / `password`) holding one busybox image. It is pushed while the registry
 * is open (so no `docker login` touches the host's config), then served with auth; the local copy is removed
 * now and again in teardown.
 */
export async function privateRegistry(t: Test, user: string, password: string): Promise<PrivateRegistry> {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-authreg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' }));
  const repo = `berth-auth-${randomBytes(4).toString('hex')}`;
  const open = await serveRegistry(t, dir, false);
  docker('tag', BUSYBOX, `${open}/${repo}:1`);
  docker('push', `${open}/${repo}:1`);
  docker('rmi', `${open}/${repo}:1`);
  const host = await serveRegistry(t, dir, true);
  const image = `${host}/${repo}:1`;
  t.teardown(() => {
    try {
      docker('rmi', '-f', image);
    } catch {
      // never pulled
    }
  });
  return { host, image };
}
