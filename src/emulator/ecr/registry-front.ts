/**
 * The ECR registry endpoint docker talks to (`docker login / push / pull <repositoryUri>`): an HTTP server in
 * front of the distribution registry (registry-process.ts) that adds what ECR adds, then proxies the rest with
 * http-proxy-3 (blob uploads and downloads stream through untouched):
 *
 *   auth         Basic, user AWS, the password from GetAuthorizationToken (tokens.ts); else 401 as ECR answers
 *   repositories /v2/<name>/... only for a repository CreateRepository made (NAME_UNKNOWN otherwise)
 *   tags         ECR's tag table is the truth: a manifest GET by tag is resolved here and fetched by digest;
 *                a push by tag is stored by digest and tagged here, refused when it would move a tag of an
 *                IMMUTABLE repository (TAG_INVALID, ECR's words); /tags/list answers from the table
 *   image rows   every pushed manifest becomes an image (digest, size, media type, pushedAt) for DescribeImages
 */
import { createHash } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import type { Logger } from '../../shared/log.js';
import type { Clock } from '../../shared/clock.js';
import type { EcrStore, ImageRecord } from './store.js';
import type { EcrTokens } from './tokens.js';
import { registryCall } from './registry-process.js';

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const ROUTE = /^\/v2\/(.+?)\/(manifests|blobs|tags)\/(.*)$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export interface RegistryFrontOptions {
  store: EcrStore;
  tokens: EcrTokens;
  /** The distribution registry's URL (loopback). */
  upstream: string;
  registryId: string;
  clock: Clock;
  log: Logger;
}

function registryError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ code, message, detail: null }] });
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Docker-Distribution-API-Version': 'registry/2.0', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** imageSizeInBytes as ECR reports it: the config and layers a manifest names (an index: its manifests). */
export function manifestFacts(body: Buffer, contentType: string | undefined): { mediaType: string; artifactMediaType?: string; size: number } {
  const doc = JSON.parse(body.toString()) as { mediaType?: string; config?: { size?: number; mediaType?: string }; layers?: { size?: number }[]; manifests?: { size?: number }[] };
  const mediaType = doc.mediaType ?? contentType ?? 'application/vnd.docker.distribution.manifest.v2+json';
  const parts = [doc.config, ...(doc.layers ?? []), ...(doc.manifests ?? [])];
  const size = parts.reduce((n, p) => n + (typeof p?.size === 'number' ? p.size : 0), 0);
  return { mediaType, ...(doc.config?.mediaType ? { artifactMediaType: doc.config.mediaType } : {}), size };
}

export class RegistryFront {
  private server: Server | undefined;
  /** The proxy's own connection pool to the registry, closed with the front. */
  private readonly agent = new Agent({ keepAlive: true });
  private readonly proxy = createProxyServer({ xfwd: false, agent: this.agent });
  /** host:port as images name the registry, once listening. */
  host = '';

  constructor(private readonly opts: RegistryFrontOptions) {
    this.proxy.on('error', (err, _req, res) => {
      opts.log.warn({ err }, 'the ECR registry did not answer');
      if (res && 'writeHead' in res && !res.headersSent) registryError(res, 502, 'UNAVAILABLE', 'The registry is not available.');
    });
  }

  async listen(port: number, host: string): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res).catch((err: unknown) => {
      this.opts.log.error({ err, url: req.url }, 'ECR registry request failed');
      if (!res.headersSent) registryError(res, 500, 'UNKNOWN', 'Internal error.');
      else res.destroy();
    }));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    this.host = `${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }

  private forward(req: IncomingMessage, res: ServerResponse, path?: string): void {
    if (path !== undefined) req.url = path;
    this.proxy.web(req, res, { target: this.opts.upstream });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://registry');
    const auth = this.opts.tokens.checkHeader(req.headers.authorization, this.opts.clock.now());
    if (auth !== 'ok') {
      const message = auth === 'expired' ? 'Your authorization token has expired. Reauthenticate and try again.' : 'Not Authorized';
      return registryError(res, 401, 'DENIED', message, { 'WWW-Authenticate': `Basic realm="https://${this.host}/",service="ecr.amazonaws.com"` });
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Docker-Distribution-API-Version': 'registry/2.0', 'Content-Length': 2 });
      return void res.end('{}');
    }
    if (url.pathname === '/v2/_catalog') {
      const body = JSON.stringify({ repositories: this.opts.store.listRepositories().map((r) => r.name) });
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      return void res.end(body);
    }
    const m = ROUTE.exec(url.pathname);
    if (!m) return registryError(res, 404, 'UNSUPPORTED', 'The operation is unsupported.');
    const [, name, kind, rest] = m as unknown as [string, string, string, string];
    const repo = this.opts.store.getRepository(name);
    if (!repo) return registryError(res, 404, 'NAME_UNKNOWN', `The repository with name '${name}' does not exist in the registry with id '${this.opts.registryId}'`);
    if (kind === 'blobs') return this.forward(req, res);
    if (kind === 'tags') {
      const body = JSON.stringify({ name, tags: this.opts.store.listTags(name) });
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      return void res.end(body);
    }
    const reference = decodeURIComponent(rest);
    if (req.method === 'GET' || req.method === 'HEAD') {
      const digest = DIGEST.test(reference) ? reference : this.opts.store.tagDigest(name, reference);
      if (!digest || !this.opts.store.getImage(name, digest)) {
        return registryError(res, 404, 'MANIFEST_UNKNOWN', `Requested image not found`);
      }
      if (req.method === 'GET') this.recordPull(name, digest);
      return this.forward(req, res, `/v2/${name}/manifests/${digest}${url.search}`);
    }
    if (req.method === 'PUT') return this.putManifest(req, res, name, reference, repo.imageTagMutability);
    return registryError(res, 405, 'UNSUPPORTED', 'The operation is unsupported.');
  }

  private recordPull(repository: string, digest: string): void {
    this.opts.store.transaction(() => {
      const image = this.opts.store.getImage(repository, digest);
      if (image) this.opts.store.putImage({ ...image, lastPulledAt: this.opts.clock.now() });
    });
  }

  private async putManifest(req: IncomingMessage, res: ServerResponse, name: string, reference: string, mutability: 'MUTABLE' | 'IMMUTABLE'): Promise<void> {
    const body = await readBody(req, MAX_MANIFEST_BYTES);
    if (!body) return registryError(res, 413, 'SIZE_INVALID', `The manifest is larger than ${MAX_MANIFEST_BYTES} bytes.`);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const tag = DIGEST.test(reference) ? undefined : reference;
    if (tag !== undefined && mutability === 'IMMUTABLE') {
      const current = this.opts.store.tagDigest(name, tag);
      if (current !== undefined && current !== digest) {
        return registryError(res, 400, 'TAG_INVALID', `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`);
      }
    }
    if (tag === undefined && reference !== digest) return registryError(res, 400, 'DIGEST_INVALID', 'The provided digest did not match the uploaded content.');
    let facts: ReturnType<typeof manifestFacts>;
    try {
      facts = manifestFacts(body, req.headers['content-type']);
    } catch {
      return registryError(res, 400, 'MANIFEST_INVALID', 'The manifest is not valid JSON.');
    }
    // The registry checks the manifest (its blobs must exist) and stores it by digest; tags live in ECR's table.
    const upstream = await registryCall(`${this.opts.upstream}/v2/${name}/manifests/${digest}`, 'PUT', { headers: { 'Content-Type': req.headers['content-type'] ?? facts.mediaType }, body });
    if (upstream.status !== 201) {
      res.writeHead(upstream.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': upstream.body.length });
      return void res.end(upstream.body);
    }
    this.opts.store.transaction(() => {
      const existing = this.opts.store.getImage(name, digest);
      const image: ImageRecord = existing ?? { repository: name, digest, ...facts, pushedAt: this.opts.clock.now(), manifest: body.toString() };
      if (!existing) this.opts.store.putImage(image);
      if (tag !== undefined) this.opts.store.setTag(name, tag, digest);
    });
    res.writeHead(201, { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0, 'Docker-Distribution-API-Version': 'registry/2.0' });
    res.end();
  }

  async close(): Promise<void> {
    const server = this.server;
    this.proxy.close();
    this.agent.destroy();
    if (!server) return;
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  }
}
