/** Spawns `node --import tsx src/cli.ts agent` with a test environment (ports 0, own data dir and port range). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const CLI = path.resolve('src/cli.ts');

export interface AgentProcessEnv {
  cluster: string;
  backend: string;
  dataDir: string;
  portRange: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  extra?: Record<string, string>;
}

export function agentEnv(e: AgentProcessEnv): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    ECS_CLUSTER: e.cluster,
    ECS_BACKEND_HOST: e.backend,
    ECS_DATADIR: e.dataDir,
    AWS_DEFAULT_REGION: e.region ?? 'us-west-2',
    AWS_ACCESS_KEY_ID: e.accessKeyId ?? 'AKIDBERTHAGENTTEST',
    AWS_SECRET_ACCESS_KEY: e.secretAccessKey ?? 'berth-agent-test-secret',
    ECS_EXTERNAL: 'true',
    ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1h',
    ECS_CONTAINER_STOP_TIMEOUT: '2s',
    ECS_DYNAMIC_HOST_PORT_RANGE: e.portRange,
    BERTH_INTROSPECTION_PORT: '0',
    BERTH_METADATA_PORT: '0',
    BERTH_LINK_LOCAL_ENDPOINT: 'false',
    BERTH_CONFIG_FILE: '/nonexistent/berth-dur.config',
    ECS_DISABLE_METRICS: 'true',
    ECS_DISABLE_DOCKER_HEALTH_CHECK: 'true',
    ECS_LOGLEVEL: process.env['BERTH_TEST_LOG'] ? 'debug' : 'warn',
    ...e.extra,
  };
}

export interface AgentProcess {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnAgent(env: NodeJS.ProcessEnv, args: string[] = []): AgentProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'agent', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    if (process.env['BERTH_TEST_LOG']) process.stderr.write(c);
  });
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => err, exited };
}

export function healthcheck(env: NodeJS.ProcessEnv): { code: number | null; output: string } {
  const res = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'agent', '--healthcheck'], { env, encoding: 'utf8', timeout: 30_000 });
  return { code: res.status, output: `${res.stdout}${res.stderr}` };
}
