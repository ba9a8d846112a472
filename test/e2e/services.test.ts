import t from 'tap';
import { execFileSync } from 'node:child_process';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { startEmulator } from '../../src/emulator/index.js';
import { agentFor, containersOfTask, ecsClient, REGION, removeContainersOfCluster, removeDir, tempDir, testLogger, waitFor, WEB_CONTAINER } from '../kit/harness.js';

/**
 * The services scenario against real agents on this Docker engine: two (then three) agents, each its own
 * container instance with its own data dir, one cluster, a short service-controller tick.
 */
const CLUSTER = `svc-e2e-${process.pid}`;
const RANGES = ['48000-48299', '48300-48599', '48600-48999'];

async function tasksOf(ecs: ECSClient, serviceName: string): Promise<Task[]> {
  const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName }))).taskArns ?? [];
  return arns.length ? ((await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks ?? []) : [];
}

async function service(ecs: ECSClient, name: string): Promise<Service> {
  return (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }))).services![0]!;
}

const steady = (s: Service): boolean =>
  s.deployments?.length === 1 && s.deployments[0]!.rolloutState === 'COMPLETED' && s.runningCount === s.desiredCount && s.pendingCount === 0;

t.test('services keep their tasks running on real agents: spread, replace, roll, drain, daemon', async (t) => {
  const dir = tempDir('e2e-svc');
  const emulator = await startEmulator({ port: 0, dataDir: `${dir}/emulator`, region: REGION, log: testLogger(), heartbeatIntervalMs: 1000, serviceTickMs: 200 });
  const ecs = ecsClient(emulator.url);
  const agents: { close(): Promise<void> }[] = [];
  t.teardown(async () => {
    for (const a of agents) await a.close();
    await emulator.close();
    ecs.destroy();
    removeContainersOfCluster(CLUSTER);
    removeDir(dir);
  });
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const startAgent = async (i: number): Promise<void> => {
    agents.push(await agentFor({ cluster: CLUSTER, backend: emulator.url, dataDir: `${dir}/agent${i}`, portRange: RANGES[i]! }));
  };
  const connectedInstances = async (n: number): Promise<string[]> =>
    waitFor(`${n} connected instances`, async () => {
      const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER, status: 'ACTIVE' }))).containerInstanceArns ?? [];
      if (arns.length < n) return undefined;
      const d = await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: arns }));
      return d.containerInstances?.every((c) => c.agentConnected) ? arns : undefined;
    });
  await startAgent(0);
  await startAgent(1);
  const [a, b] = await connectedInstances(2);

  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'svc-web', containerDefinitions: [WEB_CONTAINER] }));
  await ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: 'web',
      taskDefinition: 'svc-web',
      desiredCount: 3,
      placementStrategy: [{ type: 'spread', field: 'instanceId' }],
    }),
  );
  await waitFor('3 RUNNING', async () => (steady(await service(ecs, 'web')) ? true : undefined), 30_000);
  let tasks = await tasksOf(ecs, 'web');
  t.equal(tasks.filter((x) => x.lastStatus === 'RUNNING').length, 3, '3 tasks RUNNING');
  t.same(new Set(tasks.map((x) => x.containerInstanceArn)), new Set([a, b]), 'spread over both instances');

  // docker kill one task's container: the agent reports it STOPPED and the service replaces it.
  const victim = tasks[0]!;
  execFileSync('docker', ['kill', containersOfTask(victim.taskArn!)[0]!], { stdio: 'ignore' });
  await waitFor('replacement RUNNING', async () => {
    const now = await tasksOf(ecs, 'web');
    const s = await service(ecs, 'web');
    return !now.some((x) => x.taskArn === victim.taskArn) && steady(s) ? true : undefined;
  }, 30_000);
  t.pass('the killed task was replaced and the service is steady again');

  // A new revision rolls out within 100% / 200%.
  const td2 = await ecs.send(
    new RegisterTaskDefinitionCommand({ family: 'svc-web', containerDefinitions: [{ ...WEB_CONTAINER, environment: [{ name: 'REV', value: '2' }] }] }),
  );
  await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'web', taskDefinition: td2.taskDefinition!.taskDefinitionArn! }));
  let maxLive = 0;
  let minRunning = Infinity;
  await waitFor('rollout COMPLETED', async () => {
    const s = await service(ecs, 'web');
    const live = (s.deployments ?? []).reduce((n, d) => n + (d.runningCount ?? 0) + (d.pendingCount ?? 0), 0);
    maxLive = Math.max(maxLive, live);
    minRunning = Math.min(minRunning, s.runningCount ?? 0);
    return steady(s) && s.taskDefinition === td2.taskDefinition!.taskDefinitionArn ? true : undefined;
  }, 40_000);
  t.ok(maxLive <= 6, `at most 200% of 3 tasks at once (saw ${maxLive})`);
  t.ok(minRunning >= 3, `never fewer than 100% running (saw ${minRunning})`);
  tasks = await tasksOf(ecs, 'web');
  t.ok(tasks.length === 3 && tasks.every((x) => x.taskDefinitionArn === td2.taskDefinition!.taskDefinitionArn), 'all 3 on revision 2');

  // DRAINING instance a: its tasks move to b.
  await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: CLUSTER, containerInstances: [a!], status: 'DRAINING' }));
  await waitFor('all tasks on the other instance', async () => {
    const now = await tasksOf(ecs, 'web');
    return steady(await service(ecs, 'web')) && now.length === 3 && now.every((x) => x.containerInstanceArn === b) ? true : undefined;
  }, 40_000);
  t.pass('draining moved every task to the ACTIVE instance');
  await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: CLUSTER, containerInstances: [a!], status: 'ACTIVE' }));

  // DAEMON: one task per instance, including one registered later.
  await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'web', desiredCount: 0 }));
  await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'daemon', taskDefinition: 'svc-web', schedulingStrategy: 'DAEMON' }));
  const perInstance = async (n: number): Promise<true | undefined> => {
    const s = await service(ecs, 'daemon');
    const now = (await tasksOf(ecs, 'daemon')).filter((x) => x.lastStatus === 'RUNNING');
    return steady(s) && s.desiredCount === n && now.length === n && new Set(now.map((x) => x.containerInstanceArn)).size === n ? true : undefined;
  };
  await waitFor('a daemon on each of 2 instances', () => perInstance(2), 30_000);
  await startAgent(2);
  await connectedInstances(3);
  await waitFor('a daemon on each of 3 instances', () => perInstance(3), 30_000);
  t.pass('exactly one daemon task per instance, including the new one');
});
