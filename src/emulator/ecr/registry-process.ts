/**
 * The OCI distribution registry behind the emulator's ECR: Debian's `docker-registry` (CNCF distribution),
 * started by the emulator on a loopback port only the registry front talks to, with its storage under the data
 * dir, deletes enabled (ECR deletes images), health-checked at start (GET /v2/ answers 200) and stopped with the
 * emulator. berth never stores a blob itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../../shared/log.js';
import { realClock, sleep } from '../../shared/clock.js';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * One call to the registry on a connection of its own (no keep-alive pool): the emulator's few direct calls
 * (health, manifest puts and deletes) leave no socket open when it stops.
 */
export function registryCall(url: string, method: string, opts: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers: { ...opts.headers, ...(opts.body !== undefined ? { 'Content-Length': Buffer.byteLength(opts.body) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export class RegistryProcess {
  private child: ChildProcess | undefined;
  private exited = false;
  private stopping = false;
  /** http://127.0.0.1:<port>, once started. */
  url = '';

  constructor(private readonly opts: { dir: string; log: Logger; binary?: string }) {}

  async start(): Promise<void> {
    const binary = this.opts.binary ?? REGISTRY_BINARY;
    if (!existsSync(binary)) {
      throw new Error(`ECR needs an OCI registry: ${binary} is missing (Debian: apt-get install docker-registry; scripts/ensure-docker installs it)`);
    }
    mkdirSync(path.join(this.opts.dir, 'data'), { recursive: true });
    const port = await freeLoopbackPort();
    const config = path.join(this.opts.dir, 'config.yml');
    writeFileSync(config, [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(this.opts.dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'));
    const child = spawn(binary, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
    child.once('exit', (code, signal) => {
      this.exited = true;
      if (this.stopping) return;
      this.opts.log.warn({ code, signal, stderr: stderr.trim().split('\n').slice(-3).join(' | ') }, 'the ECR registry process exited');
    });
    this.url = `http://127.0.0.1:${port}`;
    const deadline = realClock.monotonic() + START_TIMEOUT_MS;
    for (;;) {
      if (this.exited) throw new Error(`the ECR registry (${binary}) exited at start: ${stderr.trim().split('\n').pop() ?? ''}`);
      const ok = await registryCall(`${this.url}/v2/`, 'GET').then((r) => r.status === 200, () => false);
      if (ok) return;
      if (realClock.monotonic() > deadline) throw new Error(`the ECR registry did not answer on ${this.url} within ${START_TIMEOUT_MS / 1000}s`);
      await sleep(50, undefined, undefined, { keepAlive: true });
    }
  }

  /** Asks the registry to forget a manifest (ECR deleted the image): a pull of it then fails. */
  async deleteManifest(repository: string, digest: string): Promise<void> {
    const res = await registryCall(`${this.url}/v2/${repository}/manifests/${digest}`, 'DELETE');
    if (res.status !== 202 && res.status !== 404) throw new Error(`the registry refused to delete ${repository}@${digest}: HTTP ${res.status}`);
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || this.exited) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    this.stopping = true;
    child.kill('SIGTERM');
    const timeout = new AbortController();
    await Promise.race([gone, sleep(STOP_TIMEOUT_MS, timeout.signal, undefined, { keepAlive: true }).catch(() => undefined)]);
    timeout.abort();
    if (!this.exited) child.kill('SIGKILL');
  }
}
