/** Task records and a scripted inspect for endpoint tests that need no Docker. */
import type { TaskRecord } from '../../src/agent/model/task.js';
import type { ContainerInspect, ContainerRuntime } from '../../src/agent/runtime/runtime.js';

export function record(opts: { arn: string; dockerId: string; v3Id: string; known?: 'RUNNING' | 'STOPPED'; networkMode?: string }): TaskRecord {
  const known = opts.known ?? 'RUNNING';
  return {
    spec: {
      arn: opts.arn,
      family: 'md-web',
      version: '7',
      networkMode: opts.networkMode ?? 'bridge',
      cpu: 0.25,
      memory: 256,
      containers: [
        {
          name: 'web',
          image: 'berth/busybox:latest',
          cpu: 10,
          memory: 64,
          essential: true,
          command: ['sleep', '600'],
          entryPoint: undefined,
          environment: {},
          portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
          dockerConfig: undefined,
          dockerHostConfig: '{"LogConfig":{"Type":"json-file","Config":{"max-size":"1m"}}}',
          stopTimeoutSec: undefined,
        },
      ],
    },
    state: {
      desired: 'RUNNING',
      known,
      sent: known,
      reason: '',
      pullStartedAt: Date.parse('2030-01-01T00:00:00Z'),
      pullStoppedAt: Date.parse('2030-01-01T00:00:01Z'),
      executionStoppedAt: undefined,
      stoppedAt: undefined,
      containers: [
        {
          name: 'web',
          known,
          sent: known,
          dockerName: 'ecs-md-web-7-web-aabbcc',
          dockerId: opts.dockerId,
          v3EndpointId: opts.v3Id,
          hostPorts: [47001],
          exitCode: known === 'STOPPED' ? 0 : undefined,
          reason: undefined,
          bindings: [{ bindIP: '0.0.0.0', containerPort: 8080, hostPort: 47001, protocol: 'tcp' }, { bindIP: '::', containerPort: 8080, hostPort: 47001, protocol: 'tcp' }],
        },
      ],
    },
  };
}

/** A runtime that answers inspect from a table (container id -> its address on the bridge). */
export function scriptedRuntime(addresses: Record<string, string>): ContainerRuntime {
  const inspect = async (id: string): Promise<ContainerInspect | undefined> => {
    const ip = addresses[id];
    if (ip === undefined) return undefined;
    return {
      id,
      name: `name-${id}`,
      running: true,
      dead: false,
      startedAt: Date.parse('2030-01-01T00:00:03Z'),
      finishedAt: undefined,
      exitCode: undefined,
      oomKilled: false,
      error: '',
      bindings: [],
      labels: { 'com.amazonaws.ecs.cluster': 'md-unit' },
      imageId: 'sha256:0123456789abcdef',
      createdAt: Date.parse('2030-01-01T00:00:02Z'),
      networkMode: 'bridge',
      networks: [{ name: 'bridge', ipv4: ip, ipv6: undefined, gateway: '172.17.0.1' }],
    };
  };
  return { inspectContainer: inspect, networkGateway: async () => undefined } as unknown as ContainerRuntime;
}
