/**
 * End-to-end harness: a real emulator and a real agent on 127.0.0.1 (ports picked by the OS), real Docker,
 * temp data dirs. Everything started here is torn down by the test's t.teardown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { removeContainersWithLabel } from './docker.js';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { loadConfig, startAgent, type Agent } from '../../src/agent/index.js';
import { waitUntil } from './wait.js';
import { silentLogger, createLogger, type Logger } from '../../src/shared/log.js';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'AKIDBERTHTEST', secretAccessKey: 'berth-test-secret' };

export function testLogger(): Logger {
  return process.env['BERTH_TEST_LOG'] ? createLogger({ level: 'debug' }) : silentLogger();
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `berth-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export async function emulatorOn(dataDir: string, port = 0): Promise<Emulator> {
  return startEmulator({ port, dataDir, region: REGION, log: testLogger(), heartbeatIntervalMs: 1000, ecrRegistry: false });
}

export function ecsClient(url: string): ECSClient {
  return new ECSClient({ endpoint: url, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
}

export interface AgentEnv {
  cluster: string;
  backend: string;
  dataDir: string;
  /** Disjoint ranges keep concurrently running test files from racing for the same dynamic port. */
  portRange: string;
  extra?: Record<string, string>;
  /** Where the agent logs (default: silent unless BERTH_TEST_LOG). */
  log?: Logger;
}

export async function agentFor(env: AgentEnv): Promise<Agent> {
  const config = loadConfig(
    {
      ECS_CLUSTER: env.cluster,
      ECS_BACKEND_HOST: env.backend,
      ECS_DATADIR: env.dataDir,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      ECS_EXTERNAL: 'true',
      ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1s',
      ECS_CONTAINER_STOP_TIMEOUT: '5s',
      ECS_DYNAMIC_HOST_PORT_RANGE: env.portRange,
      // Free ports for the local endpoints, so concurrently running agents never collide on 51678/51679.
      BERTH_INTROSPECTION_PORT: '0',
      BERTH_METADATA_PORT: '0',
      ...env.extra,
    },
    { configFile: '/nonexistent/berth-test-ecs.config' },
  );
  return startAgent({ config, log: env.log ?? testLogger() });
}

/** Polls `probe` until it returns a value, or throws after `timeoutMs` (./wait.ts). */
export function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  return waitUntil(what, probe, { timeoutMs, intervalMs: 100 });
}

/** IDs of containers (running or not) carrying a task-arn label. */
export function containersOfTask(taskArn: string): string[] {
  const out = execFileSync('docker', ['ps', '-aq', '--no-trunc', '--filter', `label=com.amazonaws.ecs.task-arn=${taskArn}`], {
    encoding: 'utf8',
  });
  return out.split('\n').filter(Boolean);
}

export function removeContainersOfCluster(cluster: string): void {
  removeContainersWithLabel('com.amazonaws.ecs.cluster', cluster);
}

/** A busybox web server that exits promptly (0) on SIGTERM, like the transcripts' task. */
export const WEB_CONTAINER = {
  name: 'web',
  image: 'berth/busybox:latest',
  essential: true,
  memory: 64,
  command: ['sh', '-c', 'trap "exit 0" TERM; httpd -f -p 8080 -h /www & wait'],
  portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' as const }],
};

export async function httpGet(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
  return res.text();
}

export interface Stack {
  dir: string;
  cluster: string;
  emulator: Emulator;
  ecs: ECSClient;
  agent: Agent;
}

/**
 * The usual end-to-end stack: a temp dir, a real emulator, an SDK client, a cluster named `<name>-<pid>` and a
 * real agent in it. Everything is torn down with the test: the agent, the client, the emulator, the cluster's
 * containers and the dir.
 */
export interface StackOptions {
  name: string;
  portRange: string;
  /** The agent's extra environment; a function gets the emulator's URL (endpoint overrides, proxies in front). */
  extra?: Record<string, string> | ((emulatorUrl: string) => Record<string, string> | Promise<Record<string, string>>);
  /** Where the agent logs. */
  log?: Logger;
  /** Emulator options beyond the usual ones (credentials refresh, a VPC, its own logger). */
  emulator?: Partial<Omit<EmulatorOptions, 'port' | 'dataDir'>>;
}

export async function startStack(t: { teardown(fn: () => unknown): void }, opts: StackOptions): Promise<Stack> {
  const dir = tempDir(opts.name);
  const cluster = `${opts.name}-${process.pid}`;
  const emulator = await startEmulator({ port: 0, dataDir: `${dir}/emulator`, region: REGION, log: testLogger(), heartbeatIntervalMs: 1000, ecrRegistry: false, ...opts.emulator });
  t.teardown(async () => {
    await emulator.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  const ecs = ecsClient(emulator.url);
  t.teardown(() => ecs.destroy());
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const extra = typeof opts.extra === 'function' ? await opts.extra(emulator.url) : opts.extra;
  const agent = await agentFor({
    cluster,
    backend: emulator.url,
    dataDir: `${dir}/agent`,
    portRange: opts.portRange,
    ...(extra ? { extra } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  t.teardown(() => agent.close());
  return { dir, cluster, emulator, ecs, agent };
}
