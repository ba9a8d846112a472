/**
 * awslogs end to end, through Docker's own awslogs driver: `berth up`, a task definition file with awslogs and
 * awslogs-stream-prefix and an execution role, run with the aws CLI. The container prints 10,000 numbered lines;
 * dockerd ships them to the emulator's CloudWatch Logs signed with the task's execution role, which it fetched
 * from 169.254.170.2 (the link-local endpoint is host-wide, hence the serial tier). The lines come back all, in
 * order, none twice, under <prefix>/<container>/<task id>; filter-log-events finds exactly the matching ones.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { awsCliOk, haveAwsCli, type Json } from '../kit/aws-cli.js';
import { docker } from '../kit/docker.js';
import { removeContainersOfCluster, removeDir, tempDir } from '../kit/harness.js';
import { berthEnv, runBerth, spawnBerth } from '../kit/run-berth.js';
import { waitUntil } from '../kit/wait.js';

const ROOT = process.getuid?.() === 0;
const LINES = 10_000;

// Line i is `NNNNN line`; every 100th is JSON instead, and every 7th of the rest says WARN.
const SCRIPT = `i=1; while [ $i -le ${LINES} ]; do n=$(printf %05d $i); if [ $((i % 100)) -eq 0 ]; then echo "{\\"n\\":$i,\\"level\\":\\"error\\"}"; elif [ $((i % 7)) -eq 0 ]; then echo "$n line WARN"; else echo "$n line"; fi; i=$((i+1)); done`;

function expectedLine(i: number): string {
  if (i % 100 === 0) return `{"n":${i},"level":"error"}`;
  return `${String(i).padStart(5, '0')} line${i % 7 === 0 ? ' WARN' : ''}`;
}

t.test('awslogs through the real driver: 10,000 lines in order under the prefixed stream, filterable', { skip: !ROOT ? 'needs root (the 169.254.170.2 endpoint dockerd fetches credentials from)' : !haveAwsCli() ? 'aws CLI not on PATH' : false }, async (t) => {
  const dir = tempDir('awslogs');
  t.teardown(() => removeDir(dir));
  const cluster = `awslogs-${process.pid}`;
  t.teardown(() => removeContainersOfCluster(cluster));
  const up = spawnBerth(['up', '--port', '0', '--data-dir', dir, '--cluster', cluster], berthEnv({ ECS_LOGLEVEL: 'warn', BERTH_INTROSPECTION_PORT: '0', BERTH_METADATA_PORT: '0', BERTH_LINK_LOCAL_ENDPOINT: 'true' }));
  let stdout = '';
  let stderr = '';
  up.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  up.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  t.teardown(async () => {
    if (up.exitCode !== null) return;
    const exited = new Promise((r) => up.once('exit', r));
    up.kill('SIGINT');
    await exited;
  });
  const url = await waitUntil('berth up', () => (stdout.includes('Ctrl-C stops both') ? /ECS endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] : undefined), { timeoutMs: 60_000 }).catch((err: Error) => {
    throw new Error(`${err.message}\nstdout: ${stdout}\nstderr: ${stderr}`);
  });
  const aws = (...args: string[]): Promise<Json> => awsCliOk(url, args);

  const taskDefinition = path.join(dir, 'task-definition.json');
  writeFileSync(taskDefinition, JSON.stringify({
    family: 'awslogs-10k',
    executionRoleArn: 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole',
    containerDefinitions: [{
      name: 'printer',
      image: 'berth/busybox:latest',
      memory: 64,
      essential: true,
      command: ['sh', '-c', SCRIPT],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/printer', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' } },
    }],
  }));
  const registered = await aws('ecs', 'register-task-definition', '--cli-input-json', `file://${taskDefinition}`);
  const requires = ((registered['taskDefinition'] as Json)['requiresAttributes'] as { name: string }[]).map((a) => a.name);
  t.ok(requires.includes('com.amazonaws.ecs.capability.logging-driver.awslogs') && requires.includes('ecs.capability.execution-role-awslogs'), 'the definition requires the awslogs capabilities');

  const run = await aws('ecs', 'run-task', '--cluster', cluster, '--task-definition', 'awslogs-10k');
  t.same(run['failures'], [], 'placed on the berth up instance, which registered the awslogs capability');
  const taskArn = ((run['tasks'] as Json[])[0]!)['taskArn'] as string;
  const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);

  const stopped = await waitUntil('the task to stop', async () => {
    const d = ((await aws('ecs', 'describe-tasks', '--cluster', cluster, '--tasks', taskArn))['tasks'] as Json[])[0]!;
    return d['lastStatus'] === 'STOPPED' ? d : undefined;
  }, { timeoutMs: 60_000, intervalMs: 250 });
  t.equal(((stopped['containers'] as Json[])[0]!)['exitCode'], 0, 'the printer exited 0');

  const dockerId = ((stopped['containers'] as Json[])[0]!)['runtimeId'] as string;
  const logConfig = JSON.parse(docker('inspect', '--format', '{{json .HostConfig.LogConfig}}', dockerId)) as { Type: string; Config: Record<string, string> };
  t.equal(logConfig.Type, 'awslogs');
  t.equal(logConfig.Config['awslogs-stream'], `ecs/printer/${taskId}`, 'ECS turned the prefix into the stream name');
  t.notOk('awslogs-stream-prefix' in logConfig.Config, 'and Docker never saw the prefix option');
  t.match(logConfig.Config['awslogs-credentials-endpoint'], /^\/v2\/credentials\/[0-9a-f-]{36}$/, 'the driver signs with the execution role');
  t.equal(logConfig.Config['awslogs-endpoint'], url, 'and ships to the emulator');

  const stream = `ecs/printer/${taskId}`;
  // The driver flushes when the container stops; its last batch may land a moment after ECS says STOPPED.
  const events = await waitUntil('all lines in CloudWatch Logs', async () => {
    const got = await aws('logs', 'get-log-events', '--log-group-name', '/ecs/printer', '--log-stream-name', stream, '--start-from-head');
    const list = got['events'] as { message: string }[];
    return list.length >= LINES ? list : undefined;
  }, { timeoutMs: 60_000, intervalMs: 500 });
  t.equal(events.length, LINES, 'all 10,000 lines, none twice');
  const mismatch = events.findIndex((e, i) => e.message !== expectedLine(i + 1));
  t.equal(mismatch, -1, `in order${mismatch >= 0 ? `: line ${mismatch + 1} is ${events[mismatch]!.message}` : ''}`);

  const warn = await aws('logs', 'filter-log-events', '--log-group-name', '/ecs/printer', '--log-stream-names', stream, '--filter-pattern', 'WARN');
  const wantWarn = Array.from({ length: LINES }, (_, i) => i + 1).filter((i) => i % 7 === 0 && i % 100 !== 0).map(expectedLine);
  t.same((warn['events'] as { message: string }[]).map((e) => e.message), wantWarn, 'a term finds exactly its lines');
  const json = await aws('logs', 'filter-log-events', '--log-group-name', '/ecs/printer', '--filter-pattern', '{ $.level = "error" && $.n > 5000 }');
  t.same((json['events'] as { message: string }[]).map((e) => e.message), Array.from({ length: 50 }, (_, i) => expectedLine(5100 + i * 100)), 'a JSON pattern finds exactly its lines');

  // berth logs reads the same stream, by task ARN (the cluster comes from the ARN).
  const printed = await runBerth(['logs', taskArn, '--endpoint', url], berthEnv(), 60_000);
  t.equal(printed.code, 0, printed.stderr);
  t.same(printed.stdout.split('\n').slice(0, -1), Array.from({ length: LINES }, (_, i) => expectedLine(i + 1)), 'berth logs prints all 10,000 lines in order');

  // dockerd asked the agent for the execution role credentials, as the audit log records.
  const audit = readFileSync(path.join(dir, 'agent/log/audit.log'), 'utf8');
  const arn = taskArn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  t.match(audit, new RegExp(` 200 \\S+ "/v2/credentials" "aws-sdk-go/[^"]*" ${arn} GetCredentialsExecutionRole 2 `), 'dockerd (its Go SDK) fetched the execution role credentials from the agent');

  // A json-file task is read back from Docker; a task that logs nowhere says so.
  const runOnce = async (family: string, logConfiguration: Json | undefined): Promise<string> => {
    const container = { name: 'echo', image: 'berth/busybox:latest', memory: 32, essential: true, command: ['sh', '-c', 'echo first; echo second >&2; echo third'], ...(logConfiguration ? { logConfiguration } : {}) };
    await aws('ecs', 'register-task-definition', '--family', family, '--container-definitions', JSON.stringify([container]));
    const arn = (((await aws('ecs', 'run-task', '--cluster', cluster, '--task-definition', family))['tasks'] as Json[])[0]!)['taskArn'] as string;
    await waitUntil(`${family} to stop`, async () => (((await aws('ecs', 'describe-tasks', '--cluster', cluster, '--tasks', arn))['tasks'] as Json[])[0]!)['lastStatus'] === 'STOPPED', { timeoutMs: 60_000, intervalMs: 250 });
    return arn.slice(arn.lastIndexOf('/') + 1);
  };
  const jsonFile = await runOnce('logs-json-file', undefined);
  const fromDocker = await runBerth(['logs', jsonFile, '--cluster', cluster, '--endpoint', url], berthEnv(), 30_000);
  t.equal(fromDocker.code, 0, fromDocker.stderr);
  t.same(fromDocker.stdout.split('\n').filter(Boolean).sort(), ['first', 'second', 'third'], 'stdout and stderr from Docker');
  const silent = await runOnce('logs-none', { logDriver: 'none' });
  const nowhere = await runBerth(['logs', silent, '--cluster', cluster, '--endpoint', url], berthEnv(), 30_000);
  t.equal(nowhere.code, 5);
  t.match(nowhere.stderr, /container echo: its log driver is none: it logs nowhere/);

  // --follow prints lines as they arrive and returns by itself once the task has stopped.
  const ticker = { name: 'ticker', image: 'berth/busybox:latest', memory: 32, essential: true, command: ['sh', '-c', 'for i in 1 2 3; do echo tick $i; sleep 1; done'],
    logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/printer', 'awslogs-stream-prefix': 'ecs' } } };
  await aws('ecs', 'register-task-definition', '--family', 'logs-follow', '--execution-role-arn', 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole', '--container-definitions', JSON.stringify([ticker]));
  const followArn = (((await aws('ecs', 'run-task', '--cluster', cluster, '--task-definition', 'logs-follow'))['tasks'] as Json[])[0]!)['taskArn'] as string;
  const followed = await runBerth(['logs', followArn, '--follow', '--endpoint', url], berthEnv(), 60_000);
  t.equal(followed.code, 0, followed.stderr);
  t.same(followed.stdout.split('\n').filter(Boolean), ['tick 1', 'tick 2', 'tick 3'], 'berth logs --follow prints every line and ends with the task');
});
