/**
 * Container secrets end to end: parameters and secrets created with the aws CLI in the emulator's Parameter
 * Store and Secrets Manager, a task definition whose container takes both kinds (one through a json-key) with
 * an executionRoleArn, a real agent and real Docker. The container proves it saw the values by its exit code:
 * it compares digests of its variables (the values themselves appear nowhere in the task definition), so the
 * test can then show that no value reached the agent's debug log or its SQLite files.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type ContainerDefinition, type Secret } from '@aws-sdk/client-ecs';
import { createLogger, silentLogger } from '../../src/shared/log.js';
import { runUp } from '../../src/up/index.js';
import { haveAwsCli } from '../kit/aws-cli.js';
import { containersOfTask, CREDENTIALS, ecsClient, REGION, removeContainersOfCluster, removeDir, tempDir, startStack, waitFor } from '../kit/harness.js';

const run = promisify(execFile);
const EXEC_ROLE = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';
const PORT_RANGE = '56000-56499';
const VALUES = { ssm: 'ssm-s3cret-Qx81', plain: 'plain-Pv3-Hn4', asm: 'asm-s3cret-Wp52', json: 'json-s3cret-Lk09' };


async function aws(url: string, ...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('aws', ['--endpoint-url', url, '--output', 'json', ...args], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_DEFAULT_REGION: REGION, AWS_PAGER: '' },
  });
  return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
}

/** A shell test that `$name` has this value, without the value in the command: busybox md5sum of it. */
function holds(name: string, value: string): string {
  return `[ "$(printf %s "$${name}" | md5sum | cut -d" " -f1)" = ${createHash('md5').update(value).digest('hex')} ]`;
}

function container(secrets: Secret[], checks: string, extra: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return { name: 'app', image: 'berth/busybox:latest', essential: true, memory: 32, secrets, command: ['sh', '-c', `${checks} && exit 42; exit 1`], ...extra };
}

t.test('container secrets from Parameter Store and Secrets Manager reach the container as its environment', { skip: !haveAwsCli() && 'aws CLI not on PATH' }, async (t) => {
  const logLines: string[] = [];
  const { emulator, ecs, cluster, dir } = await startStack(t, {
    name: 'sec',
    portRange: PORT_RANGE,
    // Stopped tasks stay in the state (no cleanup while this runs), so the state check below sees their records.
    extra: (url) => ({ AWS_ENDPOINT_URL_SSM: url, AWS_ENDPOINT_URL_SECRETS_MANAGER: url, ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1h' }),
    log: createLogger({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
  });

  await aws(emulator.url, 'ssm', 'put-parameter', '--name', '/sec/a', '--value', VALUES.ssm, '--type', 'SecureString');
  await aws(emulator.url, 'ssm', 'put-parameter', '--name', 'sec-plain', '--value', VALUES.plain, '--type', 'String');
  const plainArn = ((await aws(emulator.url, 'ssm', 'get-parameter', '--name', 'sec-plain'))['Parameter'] as { ARN: string }).ARN;
  const wholeArn = (await aws(emulator.url, 'secretsmanager', 'create-secret', '--name', 'sec-whole', '--secret-string', VALUES.asm))['ARN'] as string;
  const jsonArn = (await aws(emulator.url, 'secretsmanager', 'create-secret', '--name', 'sec-json', '--secret-string', JSON.stringify({ user: 'u', password: VALUES.json })))['ARN'] as string;

  const runWith = async (family: string, def: ContainerDefinition): Promise<string> => {
    await ecs.send(new RegisterTaskDefinitionCommand({ family, executionRoleArn: EXEC_ROLE, containerDefinitions: [def] }));
    return (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }))).tasks![0]!.taskArn!;
  };
  const stopped = (arn: string) =>
    waitFor('task STOPPED', async () => {
      const task = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;
      return task.lastStatus === 'STOPPED' ? task : undefined;
    }, 30_000);

  await t.test('SSM by name and by ARN, a whole ASM secret and an ASM json-key: the container sees every value (exit 42)', async (t) => {
    const checks = [holds('A', VALUES.ssm), holds('B', VALUES.plain), holds('C', VALUES.asm), holds('D', VALUES.json), '[ "$E" = env-stays ]'].join(' && ');
    const arn = await runWith('sec-ok', container(
      [
        { name: 'A', valueFrom: '/sec/a' },
        { name: 'B', valueFrom: plainArn },
        { name: 'C', valueFrom: wholeArn },
        { name: 'D', valueFrom: `${jsonArn}:password::` },
      ],
      checks,
      // A plain variable of the same name loses to the secret, as in the official agent.
      { environment: [{ name: 'A', value: 'plain-env-loses' }, { name: 'E', value: 'env-stays' }] },
    ));
    const task = await stopped(arn);
    t.equal(task.containers![0]!.exitCode, 42, `every check passed (reason: ${task.containers![0]!.reason ?? 'none'})`);
    t.equal(task.stoppedReason, 'Essential container in task exited');
  });

  await t.test('a parameter that does not exist: the task stops with the official reason and no container is created', async (t) => {
    const arn = await runWith('sec-missing', container([{ name: 'A', valueFrom: '/sec/a' }, { name: 'M', valueFrom: '/sec/missing' }], 'true'));
    const task = await stopped(arn);
    t.equal(task.stoppedReason, 'ResourceInitializationError: fetching secret data from SSM Parameter Store in us-east-1: invalid parameters: /sec/missing');
    t.equal(task.containers![0]!.lastStatus, 'STOPPED');
    t.equal(task.containers![0]!.exitCode, undefined, 'it never ran');
    t.same(containersOfTask(arn), [], 'no container was created');
  });

  await t.test('without an executionRoleArn the task definition is refused, as ECS does', async (t) => {
    await t.rejects(
      ecs.send(new RegisterTaskDefinitionCommand({ family: 'sec-no-role', containerDefinitions: [container([{ name: 'A', valueFrom: '/sec/a' }], 'true')] })),
      { name: 'ClientException', message: "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'." },
    );
  });

  t.test('no value reaches the agent debug log or its SQLite files', async (t) => {
    const logs = logLines.join('');
    t.ok(logs.includes('container secrets unavailable'), 'the agent did log (at debug) about secrets while this ran');
    const stateDir = path.join(dir, 'agent');
    const state = Buffer.concat(readdirSync(stateDir).filter((f) => f.includes('.db')).map((f) => readFileSync(path.join(stateDir, f))));
    t.ok(state.includes(jsonArn), 'the state names the secrets');
    for (const [kind, value] of Object.entries(VALUES)) {
      t.notOk(logs.includes(value), `the ${kind} value is not in the logs`);
      t.notOk(state.includes(value), `the ${kind} value is not in the state`);
    }
  });
});

t.test('berth up works out of the box: its agent reads SSM parameters from the emulator', { skip: !haveAwsCli() && 'aws CLI not on PATH' }, async (t) => {
  const dir = tempDir('sec-up');
  const cluster = `sec-up-${process.pid}`;
  const up = await runUp({
    port: 0,
    dataDir: dir,
    cluster,
    region: REGION,
    // Only what keeps this test beside others: free local ports, its own dynamic port range, a quick cleanup.
    env: { BERTH_INTROSPECTION_PORT: '0', BERTH_METADATA_PORT: '0', ECS_DYNAMIC_HOST_PORT_RANGE: PORT_RANGE, ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1s', ECS_CONTAINER_STOP_TIMEOUT: '5s' },
    log: silentLogger(),
    print: () => undefined,
  });
  t.teardown(async () => {
    await up.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  await aws(up.url, 'ssm', 'put-parameter', '--name', '/up/token', '--value', VALUES.ssm, '--type', 'SecureString');
  const ecs = ecsClient(up.url);
  t.teardown(() => ecs.destroy());
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'sec-up', executionRoleArn: EXEC_ROLE, containerDefinitions: [container([{ name: 'TOKEN', valueFrom: '/up/token' }], holds('TOKEN', VALUES.ssm))] }));
  const arn = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'sec-up' }))).tasks![0]!.taskArn!;
  const task = await waitFor('STOPPED', async () => {
    const got = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;
    return got.lastStatus === 'STOPPED' ? got : undefined;
  }, 30_000);
  t.equal(task.containers![0]!.exitCode, 42, `the container saw the parameter (${task.stoppedReason ?? ''})`);
});
