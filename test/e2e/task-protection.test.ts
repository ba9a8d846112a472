/**
 * Task scale-in protection end to end: containers of a service task call `$ECS_AGENT_URI/task-protection/v1/state`,
 * the real agent calls the emulator's Get/UpdateTaskProtection with the task's role credentials, and a
 * scale-in of the service leaves the protected task running while it stops the other one for real.
 */
import t from 'tap';
import {
  CreateServiceCommand,
  DescribeTasksCommand,
  GetTaskProtectionCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { containersOfTask, startStack, waitFor } from '../kit/harness.js';
import { IDLE_CONTAINER, containerEnv, fetchJsonInContainer, inContainer, runUntilRunning } from '../kit/metadata.js';

type Json = Record<string, unknown>;

async function lastStatus(ecs: ECSClient, cluster: string, taskArn: string): Promise<string | undefined> {
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0]?.lastStatus;
}

t.test('a service task protects itself through the agent with its task role, and scale-in leaves it running', async (t) => {
  const { ecs, cluster, agent } = await startStack(t, { name: 'prot', portRange: '57300-57399', extra: { ECS_ENABLE_TASK_IAM_ROLE: 'true' } });
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'prot-web', taskRoleArn: 'arn:aws:iam::000000000000:role/prot-app', containerDefinitions: [IDLE_CONTAINER] }));
  await ecs.send(new CreateServiceCommand({ cluster, serviceName: 'web', taskDefinition: 'prot-web', desiredCount: 2, tags: [{ key: 'svc', value: 'prot' }], propagateTags: 'SERVICE' }));
  const [a, b] = await waitFor('two service tasks RUNNING', async () => {
    const arns = (await ecs.send(new ListTasksCommand({ cluster, serviceName: 'web' }))).taskArns ?? [];
    const tasks = arns.length ? ((await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? []) : [];
    return tasks.length === 2 && tasks.every((x) => x.lastStatus === 'RUNNING') ? tasks.map((x) => x.taskArn!) : undefined;
  }, 30_000);
  const [dockerA] = containersOfTask(a!);
  t.match(await fetchJsonInContainer(dockerA!, '$ECS_CONTAINER_METADATA_URI_V4/taskWithTags'), { TaskTags: { svc: 'prot' } }, 'service tags propagate to its tasks');

  // PUT from the test process (busybox wget cannot PUT) on the container's own ECS_AGENT_URI id; GET from inside.
  const agentUri = await containerEnv(dockerA!, 'ECS_AGENT_URI');
  const stateUrl = `http://127.0.0.1:${agent.metadataPort}/api/${agentUri.split('/').pop()}/task-protection/v1/state`;
  const put = async (body: string): Promise<{ status: number; body: Json }> => {
    const res = await fetch(stateUrl, { method: 'PUT', body, headers: { 'Content-Type': 'application/json' }, signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const before = Date.now();
  const on = await put('{"ProtectionEnabled":true,"ExpiresInMinutes":30}');
  t.equal(on.status, 200);
  t.match(on.body, { protection: { ProtectionEnabled: true, TaskArn: a, ExpirationDate: /^\d{4}-\d\d-\d\dT[\d:.]+Z$/ } });
  const expiry = Date.parse((on.body['protection'] as Json)['ExpirationDate'] as string);
  t.ok(expiry >= before + 30 * 60_000 - 1000 && expiry <= Date.now() + 30 * 60_000 + 1000, 'protected for 30 minutes from now');
  const got = (await fetchJsonInContainer(dockerA!, '$ECS_AGENT_URI/task-protection/v1/state')) as Json;
  t.same(got, on.body, 'the container reads the same protection back');
  const sdk = await ecs.send(new GetTaskProtectionCommand({ cluster, tasks: [a!, b!] }));
  t.same(sdk.protectedTasks?.map((p) => [p.taskArn, p.protectionEnabled, p.expirationDate?.getTime()]), [[a, true, expiry], [b, false, undefined]], 'GetTaskProtection through the SDK agrees');

  const tooLong = await put('{"ProtectionEnabled":true,"ExpiresInMinutes":2881}');
  t.equal(tooLong.status, 400, 'ECS refuses more than 48 h; the agent passes its status on');
  t.match(tooLong.body, { requestID: String, error: { Arn: a, Code: 'InvalidParameterException', Message: /between 1 and 2880/ } });
  t.match((await fetchJsonInContainer(dockerA!, '$ECS_AGENT_URI/task-protection/v1/state')) as Json, { protection: { ExpirationDate: (on.body['protection'] as Json)['ExpirationDate'] } }, 'and the protection is unchanged');

  // Scale in to 0: the unprotected task is stopped for real, the protected one keeps running.
  await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', desiredCount: 0 }));
  await waitFor('the unprotected task STOPPED', async () => ((await lastStatus(ecs, cluster, b!)) === 'STOPPED' ? true : undefined), 30_000);
  t.equal(await lastStatus(ecs, cluster, a!), 'RUNNING', 'the protected task is still RUNNING');
  t.match(await fetchJsonInContainer(dockerA!, '$ECS_CONTAINER_METADATA_URI_V4/task'), { KnownStatus: 'RUNNING', DesiredStatus: 'RUNNING' }, 'and its container runs on');
});

t.test('tasks that cannot be protected get the official answers: no task role, and a standalone task', async (t) => {
  const { ecs, cluster, agent } = await startStack(t, { name: 'prot-edge', portRange: '57400-57499', extra: { ECS_ENABLE_TASK_IAM_ROLE: 'true' } });
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'prot-norole', containerDefinitions: [IDLE_CONTAINER] }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'prot-role', taskRoleArn: 'arn:aws:iam::000000000000:role/prot-app', containerDefinitions: [IDLE_CONTAINER] }));
  const noRole = await runUntilRunning(ecs, cluster, 'prot-norole');
  const inside = await inContainer(noRole.dockerId, 'wget -q -O - "$ECS_AGENT_URI/task-protection/v1/state"');
  t.match(inside, { code: 1, stderr: /403/ }, 'the container is refused with 403');
  const id = (await containerEnv(noRole.dockerId, 'ECS_AGENT_URI')).split('/').pop();
  const res = await fetch(`http://127.0.0.1:${agent.metadataPort}/api/${id}/task-protection/v1/state`, { method: 'PUT', body: '{"ProtectionEnabled":true}', signal: AbortSignal.timeout(10_000) });
  t.equal(res.status, 403);
  t.same(await res.json(), { error: { Arn: noRole.taskArn, Code: 'AccessDeniedException', Message: 'Invalid Request: no task IAM role credentials available for task' } });
  const standalone = await runUntilRunning(ecs, cluster, 'prot-role');
  t.match(await fetchJsonInContainer(standalone.dockerId, '$ECS_AGENT_URI/task-protection/v1/state'), { failure: { Arn: standalone.taskArn, Detail: String, Reason: 'TASK_NOT_VALID' } }, 'ECS\'s failure for a task outside a service comes back with 200');
});
