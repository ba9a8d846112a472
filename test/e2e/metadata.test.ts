import t from 'tap';
import { CreateClusterCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { agentFor, ecsClient, emulatorOn, removeContainersOfCluster, removeDir, tempDir } from '../kit/harness.js';
import { IDLE_CONTAINER, containerEnv, containerIp, fetchJsonInContainer, runUntilRunning } from '../kit/metadata.js';

type Json = Record<string, unknown>;

t.test('a container reads its own v4, v3 and v2 task metadata through the injected URIs', async (t) => {
  const dir = tempDir('md-meta');
  const cluster = `md-meta-${process.pid}`;
  const emulator = await emulatorOn(`${dir}/emulator`);
  t.teardown(async () => {
    await emulator.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  const ecs = ecsClient(emulator.url);
  t.teardown(() => ecs.destroy());
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const agent = await agentFor({ cluster, backend: emulator.url, dataDir: `${dir}/agent`, portRange: '47000-47099' });
  t.teardown(() => agent.close());

  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'md-meta', cpu: '256', memory: '512', containerDefinitions: [IDLE_CONTAINER] }));
  const { taskArn, dockerId } = await runUntilRunning(ecs, cluster, 'md-meta');
  const ip = containerIp(dockerId);

  const v4uri = await containerEnv(dockerId, 'ECS_CONTAINER_METADATA_URI_V4');
  t.match(v4uri, new RegExp(`^http://[0-9.]+:${agent.metadataPort}/v4/[0-9a-f-]{36}$`), 'the v4 URI names the bridge gateway and the agent\'s port');
  t.equal(await containerEnv(dockerId, 'ECS_CONTAINER_METADATA_URI'), v4uri.replace('/v4/', '/v3/'), 'v3 and v4 share the endpoint id');
  t.equal(await containerEnv(dockerId, 'ECS_AGENT_URI'), v4uri.replace('/v4/', '/api/'));

  const v4task = (await fetchJsonInContainer(dockerId, '$ECS_CONTAINER_METADATA_URI_V4/task')) as Json;
  t.match(v4task, { Cluster: cluster, TaskARN: taskArn, Family: 'md-meta', Revision: '1', DesiredStatus: 'RUNNING', KnownStatus: 'RUNNING', Limits: { CPU: 0.25, Memory: 512 }, LaunchType: 'EXTERNAL' });
  const c = (v4task['Containers'] as Json[])[0]!;
  t.match(c, {
    DockerId: dockerId,
    Name: 'app',
    Image: 'berth/busybox:latest',
    ImageID: /^sha256:[0-9a-f]{64}$/,
    KnownStatus: 'RUNNING',
    Limits: { CPU: 10, Memory: 64 },
    Type: 'NORMAL',
    Networks: [{ NetworkMode: 'bridge', IPv4Addresses: [ip] }],
    Labels: { 'com.amazonaws.ecs.task-arn': taskArn, 'com.amazonaws.ecs.cluster': cluster },
    CreatedAt: /^\d{4}-\d\d-\d\dT/,
    StartedAt: /^\d{4}-\d\d-\d\dT/,
  });
  const port = (c['Ports'] as Json[])[0]!;
  t.match(port, { ContainerPort: 8080, Protocol: 'tcp', HostIp: '0.0.0.0' });
  t.ok((port['HostPort'] as number) >= 47000 && (port['HostPort'] as number) <= 47099, 'the dynamic host port');

  const v4container = (await fetchJsonInContainer(dockerId, '$ECS_CONTAINER_METADATA_URI_V4')) as Json;
  t.match(v4container, { DockerId: dockerId, Name: 'app', Networks: [{ IPv4Addresses: [ip] }] });

  const v3task = (await fetchJsonInContainer(dockerId, '$ECS_CONTAINER_METADATA_URI/task')) as Json;
  t.match(v3task, { TaskARN: taskArn, Limits: { CPU: 0.25, Memory: 512 }, Containers: [{ DockerId: dockerId, Networks: [{ IPv4Addresses: [ip] }] }] });
  t.notOk('LaunchType' in v3task, 'v3 has no v4 members');

  const v2 = (await fetchJsonInContainer(dockerId, '${ECS_CONTAINER_METADATA_URI%/v3/*}/v2/metadata')) as Json;
  t.match(v2, { TaskARN: taskArn, Containers: [{ DockerId: dockerId, Name: 'app' }] }, 'v2 knows the caller by its address');

  const stats = (await fetchJsonInContainer(dockerId, '$ECS_CONTAINER_METADATA_URI_V4/task/stats')) as Record<string, Json | null>;
  t.same(Object.keys(stats), [dockerId]);
  t.match(stats[dockerId], { id: dockerId, memory_stats: { usage: Number }, cpu_stats: { cpu_usage: { total_usage: Number } } }, 'docker StatsJSON per container');

  const intro = (await (await fetch(`http://127.0.0.1:${agent.introspectionPort}/v1/tasks?dockerid=${dockerId.slice(0, 12)}`)).json()) as Json;
  t.match(intro, { Arn: taskArn, KnownStatus: 'RUNNING', Family: 'md-meta', Version: '1', Containers: [{ DockerId: dockerId, Name: 'app' }] });
});
