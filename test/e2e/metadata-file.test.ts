import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateClusterCommand, RegisterTaskDefinitionCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { agentFor, ecsClient, emulatorOn, removeContainersOfCluster, removeDir, tempDir, waitFor } from '../kit/harness.js';
import { containerEnv, runUntilRunning, waitStopped } from '../kit/metadata.js';

type Json = Record<string, unknown>;

/**
 * Waits (bounded) for the file to say READY, prints it, then idles until SIGTERM. The file has no final newline
 * (like the official agent's); `echo` adds one, as Docker logs a partial last line only when the container exits.
 */
const READER = {
  name: 'app',
  image: 'berth/busybox:latest',
  essential: true,
  memory: 64,
  cpu: 10,
  command: ['sh', '-c', 'trap "exit 0" TERM; for i in $(seq 50); do grep -q READY "$ECS_CONTAINER_METADATA_FILE" && break; sleep 0.1; done; cat "$ECS_CONTAINER_METADATA_FILE"; echo; sleep 30 & wait'],
  portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' as const }],
};

function mountsOf(dockerId: string): { Source: string; Destination: string }[] {
  return JSON.parse(execFileSync('docker', ['inspect', '-f', '{{json .Mounts}}', dockerId], { encoding: 'utf8' })) as { Source: string; Destination: string }[];
}

async function setup(t: Test, name: string, extra: Record<string, string>, portRange: string) {
  const dir = tempDir(name);
  const cluster = `${name}-${process.pid}`;
  const emulator = await emulatorOn(`${dir}/emulator`);
  t.teardown(async () => {
    await emulator.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  const ecs = ecsClient(emulator.url);
  t.teardown(() => ecs.destroy());
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const agent = await agentFor({ cluster, backend: emulator.url, dataDir: `${dir}/agent`, portRange, extra });
  t.teardown(() => agent.close());
  await ecs.send(new RegisterTaskDefinitionCommand({ family: name, containerDefinitions: [READER] }));
  return { dir, cluster, ecs, agent };
}

t.test('with ECS_ENABLE_CONTAINER_METADATA the container reads a READY metadata file, removed at task cleanup', async (t) => {
  const { dir, cluster, ecs, agent } = await setup(t, 'mdf-on', { ECS_ENABLE_CONTAINER_METADATA: 'true' }, '40200-40249');
  const { taskArn, dockerId } = await runUntilRunning(ecs, cluster, 'mdf-on');
  const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
  const hostDir = path.join(dir, 'agent', 'metadata', cluster, taskId, 'app');

  const envPath = await containerEnv(dockerId, 'ECS_CONTAINER_METADATA_FILE');
  t.match(envPath, /^\/opt\/ecs\/metadata\/[0-9a-f-]{36}\/ecs-container-metadata\.json$/);
  t.same(mountsOf(dockerId).filter((m) => m.Destination.startsWith('/opt/ecs/metadata/')).map((m) => [m.Source, m.Destination]), [[hostDir, path.dirname(envPath)]], 'the container directory is bind-mounted under a random uuid');

  // What the container itself read once the file said READY (docker logs), and the file on the host.
  const seen = await waitFor('the container printed the READY file', async () => {
    const out = execFileSync('docker', ['logs', dockerId], { encoding: 'utf8' });
    return out.includes('READY') ? (JSON.parse(out) as Json) : undefined;
  });
  const onHost = JSON.parse(readFileSync(path.join(hostDir, 'ecs-container-metadata.json'), 'utf8')) as Json;
  t.same(onHost, seen, 'the host file is the one the container sees');
  t.match(seen, {
    Cluster: cluster,
    ContainerInstanceARN: agent.containerInstanceArn,
    TaskARN: taskArn,
    TaskDefinitionFamily: 'mdf-on',
    TaskDefinitionRevision: '1',
    ContainerID: dockerId,
    ContainerName: 'app',
    DockerContainerName: /^\/ecs-mdf-on-1-app-[0-9a-f]{20}$/,
    ImageID: /^sha256:[0-9a-f]{64}$/,
    ImageName: 'berth/busybox:latest',
    Networks: [{ NetworkMode: 'bridge', IPv4Addresses: [/^\d+\.\d+\.\d+\.\d+$/] }],
    MetadataFileStatus: 'READY',
  });
  const ipv4 = (seen['PortMappings'] as Json[]).filter((p) => p['BindIp'] === '0.0.0.0');
  t.equal(ipv4.length, 1);
  t.match(ipv4[0], { ContainerPort: 8080, BindIp: '0.0.0.0', Protocol: 'tcp' });
  const hostPort = ipv4[0]!['HostPort'] as number;
  t.ok(hostPort >= 40200 && hostPort <= 40249, `dynamic host port ${hostPort} from the agent's range`);

  await ecs.send(new StopTaskCommand({ cluster, task: taskArn }));
  await waitStopped(ecs, cluster, taskArn);
  await waitFor('task metadata directory removed at cleanup', async () => (existsSync(path.dirname(hostDir)) ? undefined : true), 20_000);
  t.ok(existsSync(path.join(dir, 'agent', 'metadata', cluster)), 'only the task\'s directory goes');
});

t.test('without ECS_ENABLE_CONTAINER_METADATA there is no metadata variable, mount or file', async (t) => {
  const { dir, cluster, ecs } = await setup(t, 'mdf-off', {}, '40250-40299');
  const { dockerId } = await runUntilRunning(ecs, cluster, 'mdf-off');
  t.equal(await containerEnv(dockerId, 'ECS_CONTAINER_METADATA_FILE'), '');
  t.same(mountsOf(dockerId).filter((m) => m.Destination.startsWith('/opt/ecs/metadata')), []);
  t.notOk(existsSync(path.join(dir, 'agent', 'metadata')));
});
