import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  type ECSClient,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { eventually, rawCall, totalResources, type Teardownable } from './emulator.js';
import { FakeAgent } from './fake-agent.js';
import { AGENT_ATTRIBUTES } from './emulator-fixtures.js';

/** Registers an instance and connects a fake agent for it (closed in teardown). */
export async function connectedInstance(
  t: Teardownable,
  url: string,
  ecs: ECSClient,
  cluster: string,
  attributes: { name: string; value?: string }[] = [],
  memory = 1024,
): Promise<{ arn: string; agent: FakeAgent }> {
  const out = await ecs.send(
    new RegisterContainerInstanceCommand({ cluster, totalResources: totalResources(memory), attributes: [...AGENT_ATTRIBUTES, ...attributes] }),
  );
  const arn = out.containerInstance!.containerInstanceArn!;
  const agent = await FakeAgent.connect(url, cluster, arn);
  t.teardown(() => agent.close());
  return { arn, agent };
}

/** What an agent would report: every task it was given reaches `status`. */
export async function report(url: string, cluster: string, taskArns: readonly string[], status: 'RUNNING' | 'STOPPED', extra: Record<string, unknown> = {}): Promise<void> {
  for (const task of taskArns) await rawCall(url, 'SubmitTaskStateChange', { cluster, task, status, ...extra });
}

export async function tasksOf(ecs: ECSClient, cluster: string, serviceName?: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<Task[]> {
  const arns = (await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus }))).taskArns ?? [];
  if (arns.length === 0) return [];
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];
}

/** Acts as every agent of the cluster: tasks desired RUNNING and not yet RUNNING are reported RUNNING. */
export async function runPending(url: string, ecs: ECSClient, cluster: string): Promise<number> {
  const pending = (await tasksOf(ecs, cluster)).filter((t) => t.lastStatus !== 'RUNNING').map((t) => t.taskArn!);
  await report(url, cluster, pending, 'RUNNING');
  return pending.length;
}

/** Acts as every agent of the cluster: tasks desired STOPPED are reported STOPPED. */
export async function stopStopping(url: string, ecs: ECSClient, cluster: string): Promise<number> {
  const stopping = (await tasksOf(ecs, cluster, undefined, 'STOPPED')).filter((t) => t.lastStatus !== 'STOPPED').map((t) => t.taskArn!);
  await report(url, cluster, stopping, 'STOPPED');
  return stopping.length;
}

export async function describeService(ecs: ECSClient, cluster: string, name: string): Promise<Service> {
  return (await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))).services![0]!;
}

/** Plays the agents until `done(service)` holds (or the deadline passes). */
export async function settle(url: string, ecs: ECSClient, cluster: string, name: string, done: (s: Service) => boolean, timeoutMs = 5000): Promise<Service> {
  return eventually(async () => {
    await runPending(url, ecs, cluster);
    await stopStopping(url, ecs, cluster);
    const s = await describeService(ecs, cluster, name);
    return done(s) ? s : undefined;
  }, timeoutMs);
}
