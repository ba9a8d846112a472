/** Shared setup for agent tests: a fake control plane, a temp data dir, an agent config, tasks. */
import type { Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig, type AgentConfig } from '../../src/agent/index.js';
import { createLogger, silentLogger, type Logger } from '../../src/shared/log.js';
import { removeContainersWithLabel, BUSYBOX } from './docker.js';

export function testLogger(): Logger {
  return process.env['BERTH_TEST_LOG'] ? createLogger({ level: 'debug' }) : silentLogger();
}

export function uniqueCluster(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function tempDataDir(t: Test): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-agent-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Removes every container the test's agent created (they carry the unique cluster label). */
export function cleanupContainers(t: Test, cluster: string): void {
  t.teardown(() => removeContainersWithLabel('com.amazonaws.ecs.cluster', cluster));
}

export function agentConfig(opts: { cluster: string; backend: string; dataDir: string; portRange: string; extra?: Record<string, string> }): AgentConfig {
  return loadConfig(
    {
      ECS_CLUSTER: opts.cluster,
      ECS_BACKEND_HOST: opts.backend,
      ECS_DATADIR: opts.dataDir,
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'AKIDBERTHAGENTTEST',
      AWS_SECRET_ACCESS_KEY: 'berth-agent-test-secret',
      ECS_EXTERNAL: 'true',
      ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1s',
      ECS_CONTAINER_STOP_TIMEOUT: '2s',
      ECS_DYNAMIC_HOST_PORT_RANGE: opts.portRange,
      // Free ports for the local endpoints, so concurrently running agents never collide on 51678/51679.
      BERTH_INTROSPECTION_PORT: '0',
      BERTH_METADATA_PORT: '0',
      ...opts.extra,
    },
    { configFile: '/nonexistent/berth-agent-test.config' },
  );
}

export function taskArn(cluster: string): string {
  return `arn:aws:ecs:us-west-2:123456789012:task/${cluster}/${randomBytes(16).toString('hex')}`;
}

/** The transcript's web task: busybox httpd on 8080 with a dynamic host port. */
export function webTask(arn: string, desiredStatus: 'RUNNING' | 'STOPPED', image = BUSYBOX): Record<string, unknown> {
  return {
    arn,
    family: 'berth-web',
    version: '3',
    desiredStatus,
    networkMode: 'bridge',
    launchType: 'EXTERNAL',
    containers: [
      {
        name: 'web',
        image,
        command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
        essential: true,
        cpu: 0,
        memory: 64,
        portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
        environment: { BERTH_TEST: '1' },
        mountPoints: [],
        volumesFrom: [],
        links: [],
      },
    ],
    volumes: [],
  };
}
