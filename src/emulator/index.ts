import { createServer } from 'node:http';
import { refuseHost } from './host-check.js';
import { SimulatedVpc, type VpcOptions } from './vpc/vpc.js';
import { EniAttachments } from './ecs/eni-attachments.js';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Logger } from '../shared/log.js';
import { AcsHub } from './ecs/acs/hub.js';
import { handleAwsRequest, type ServiceRoutes } from './router.js';
import { refuseAccessKey } from './aws/access-keys.js';
import { arnsFor } from './ecs/arns.js';
import type { EmulatorContext } from './ecs/context.js';
import { openEcsStore } from './ecs/store.js';
import { openDatabase } from './store/database.js';
import { openSecretsStore } from './secretsmanager/store.js';
import { openParametersStore } from './ssm/store.js';
import { openLogsStore, RetentionSweep } from './logs/index.js';
import { handleUpgrade } from './upgrade.js';
import { ServiceController } from './ecs/services/controller.js';
import { TelemetryStore } from './ecs/tcs/telemetry.js';
import { EmulatorMetrics } from './metrics/registry.js';
import { EmulatedEcr, externalLogin, type EcrRegistryOptions } from './ecr/registry.js';
import { expireImages, LocalRegistry, openEcrStore } from './ecr/index.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REGISTRY_BINARY } from './ecr/registry-process.js';
import { StartedParts } from '../shared/started-parts.js';
import { realClock, sleep } from '../shared/clock.js';

export interface EmulatorOptions {
  port: number; // 0 = pick a free port
  host?: string; // default '127.0.0.1'
  dataDir: string; // SQLite lives here: <dataDir>/emulator.db
  region?: string; // default 'us-east-1'
  accountId?: string; // default '000000000000'
  log: Logger;
  heartbeatIntervalMs?: number; // ACS HeartbeatMessage period, default 30_000 (tests lower it)
  /** Service controller's periodic pass, default 1000 ms (it also runs on every relevant change). */
  serviceTickMs?: number;
  manifestIntervalMs?: number; // ACS TaskManifestMessage period, default 300_000; 0 = none
  missedHeartbeatLimit?: number; // unacked heartbeats in a row before agentConnected is false, default 2
  /** Task IAM role credentials: key lifetime (default 1h) and refresh period (default 45m; tests lower it). */
  credentials?: { ttlMs?: number; refreshMs?: number };
  /** Opt-in: refuse API calls and websocket upgrades signed with any other access key (./api/access-keys.ts). */
  acceptAccessKeys?: () => readonly string[];
  /**
   * A simulated VPC (root, Linux) for awsvpc tasks: a bridge for the subnet, ENIs as veths on this machine
   * (./vpc/vpc.ts). Without it, RunTask of an awsvpc task definition fails.
   */
  vpc?: VpcOptions;
  /**
   * An emulated ECR registry (./ecr/registry.ts): a local registry whose credentials GetAuthorizationToken hands
   * out; tasks with images there pull with registryAuthentication type ecr.
   */
  ecr?: EcrRegistryOptions | undefined;
  /**
   * The built-in ECR registry (on unless `ecr` names an external one, or false): a distribution registry under
   * <dataDir>/ecr behind a front on `host` (default the emulator's) and `port` (default the emulator's port + 1,
   * or a free one when the emulator's is 0). Needs /usr/bin/docker-registry; without it ECR has no registry.
   */
  ecrRegistry?: { port?: number; host?: string; lifecycleMs?: number } | false | undefined;
  /** DNS names clients may use in Host besides IP addresses and localhost (DNS rebinding protection, ./host-check.ts). */
  hostnames?: readonly string[];
}

export interface Emulator {
  readonly port: number;
  readonly url: string; // e.g. http://127.0.0.1:PORT
  /** host:port of the ECR registry images name (built-in or --ecr-registry); undefined without one. */
  readonly ecrRegistry: string | undefined;
  close(): Promise<void>; // idempotent; closes websockets with a close frame, http server, db
}

const SOCKET_CLOSE_GRACE_MS = 1000;
/** The largest ACS/TCS frame an agent may send: a TCS metrics publish for many tasks stays well below it. */
export const MAX_AGENT_FRAME_BYTES = 4 * 1024 * 1024;

/**
 * One HTTP server on one port: the ECS JSON 1.1 API on `POST /`, ACS on `/acs/ws`, TCS on `/tcs/ws`.
 * State lives in <dataDir>/emulator.db, so a restart on the same dataDir continues where it stopped.
 */
export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log.child({ component: 'emulator' });
  const heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 30_000;
  // Every part is recorded as it starts; a failure anywhere below (a port in use, a VPC that cannot be made)
  // closes what had started, in reverse.
  const parts = new StartedParts(log);
  try {
    const database = parts.add('database', openDatabase(opts.dataDir), (d) => d.close());
    const store = openEcsStore(database);
    const arns = arnsFor(opts.region ?? 'us-east-1', opts.accountId ?? '000000000000');
    const now = (): number => realClock.now();
    let vpc: EniAttachments | undefined;
    if (opts.vpc) {
      const simulated = parts.add('simulated vpc', new SimulatedVpc(opts.vpc, opts.dataDir, log.child({ vpc: true })), (v) => v.close());
      await simulated.start();
      vpc = parts.add('vpc service', new EniAttachments({ vpc: simulated, store, region: arns.region, accountId: arns.accountId, log: log.child({ vpc: true }), attachTimeoutMs: opts.vpc.attachTimeoutMs }), (v) => v.close());
    }
    const ecrStore = openEcrStore(database);
    let ecr: EmulatedEcr | undefined;
    let localRegistry: LocalRegistry | undefined;
    if (opts.ecr) {
      ecr = new EmulatedEcr(opts.ecr.registry, externalLogin(opts.ecr), arns.accountId, arns.region, opts.ecr.endpoint);
    } else if (opts.ecrRegistry !== false && !existsSync(REGISTRY_BINARY)) {
      log.warn({ binary: REGISTRY_BINARY }, 'no ECR registry: docker-registry is not installed (apt-get install docker-registry)');
    } else if (opts.ecrRegistry !== false) {
      const ecrDeps = () => ({ store: ecrStore, log, account: { region: arns.region, accountId: arns.accountId }, now: () => realClock.now(), ecr, local: localRegistry });
      const local = new LocalRegistry({
        dir: path.join(opts.dataDir, 'ecr'),
        store: ecrStore,
        registryId: arns.accountId,
        log: log.child({ ecr: true }),
        lifecycleMs: opts.ecrRegistry?.lifecycleMs,
        applyLifecycle: (repository) => void ecrStore.transaction(() => expireImages(ecrDeps(), repository)),
      });
      localRegistry = parts.add('ecr registry', local, (l) => l.close());
      const ecrPort = opts.ecrRegistry?.port ?? (opts.port === 0 ? 0 : opts.port + 1);
      await local.start(ecrPort, opts.ecrRegistry?.host ?? host, opts.ecrRegistry?.port === undefined);
      ecr = new EmulatedEcr(local.host, (nowMs) => {
        const t = local.tokens.issue(nowMs);
        return { username: 'AWS', password: t.password, expiresAtMs: t.expiresAtMs };
      }, arns.accountId, arns.region);
    }
    const services = parts.add('service controller', new ServiceController({ log: log.child({ services: true }), intervalMs: opts.serviceTickMs }), (c) => c.close());
    const hub = parts.add('acs hub', new AcsHub({ onSessionChange: () => services.changed(), store, arns, log: log.child({ acs: true }), heartbeatIntervalMs, now, credentials: opts.credentials,
      manifestIntervalMs: opts.manifestIntervalMs ?? 300_000, missedHeartbeatLimit: opts.missedHeartbeatLimit, vpc, ecr }), (h) => h.close());
    const telemetry = new TelemetryStore();
    const metrics = new EmulatorMetrics({ store, telemetry, isConnected: (arn) => hub.isConnected(arn) });
    const ctx: EmulatorContext = { store, arns, log, delivery: hub, now, telemetry, observeApi: (op, err, s) => metrics.observeApi(op, err, s), services, vpc, ecr };
    const account = { region: arns.region, accountId: arns.accountId };
    const logsStore = openLogsStore(database);
    const retention = parts.add('log retention', new RetentionSweep({ store: logsStore, log: log.child({ logs: true }) }), (r) => r.close());
    const routes: ServiceRoutes = {
      ecs: ctx,
      secretsManager: { store: openSecretsStore(database), log, account, now },
      ssm: { store: openParametersStore(database), log, account, now },
      ecr: { store: ecrStore, log, account, now, ecr, local: localRegistry },
      logs: { store: logsStore, log, account, now },
    };

    // Agents send small frames (acks, state, metrics); a bigger one closes the socket before it is buffered whole.
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_AGENT_FRAME_BYTES });
    const server = createServer((req, res) => {
      const badHost = refuseHost(req.headers.host, opts.hostnames ?? []);
      if (badHost) {
        res.writeHead(403, { 'Content-Type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'AccessDeniedException', message: badHost }));
        return;
      }
      if (req.method === 'GET' && req.url === '/metrics') return void metrics.serve(req, res);
      const refused = refuseAccessKey(opts.acceptAccessKeys, req);
      if (refused) {
        res.writeHead(refused.status, { 'Content-Type': 'application/x-amz-json-1.1' }).end(JSON.stringify(refused.body));
        return;
      }
      void handleAwsRequest(routes, req, res);
    });
    server.on('upgrade', (req, socket, head) => {
      if (refuseAccessKey(opts.acceptAccessKeys, req) || refuseHost(req.headers.host, opts.hostnames ?? [])) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      handleUpgrade({ wss, hub, store, log, heartbeatIntervalMs, telemetry }, req, socket, head);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Websockets first, with a close frame and a grace period; then the server and the rest, last started first.
    parts.add('http server', server, async () => {
      const sockets = [...wss.clients];
      for (const ws of sockets) ws.close(1001, 'emulator shutting down');
      await Promise.race([
        Promise.all(sockets.map((ws) => new Promise<void>((r) => (ws.readyState === ws.CLOSED ? r() : ws.once('close', () => r()))))),
        sleep(SOCKET_CLOSE_GRACE_MS),
      ]);
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    ecr?.listeningAt(url);
    log.info({ url, ...(ecr ? { ecrRegistry: ecr.registry } : {}) }, 'emulator listening');
    services.start(ctx);
    vpc?.start();
    retention.start();

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        // The controller and the hub stop making changes before the sockets and the store go.
        services.close();
        hub.close();
        await parts.closeAll();
        log.info('emulator closed');
      })();
      return closing;
    };
    return { port, url, ecrRegistry: ecr?.registry, close };
  } catch (err) {
    await parts.closeAll();
    throw err;
  }
}
