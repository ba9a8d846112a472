/**
 * Per-container private registry credentials end to end (spec §3.4, §5.6): a secret in the emulator's Secrets
 * Manager (created with the aws CLI), a task definition with repositoryCredentials and an executionRoleArn, an
 * image that exists only in a local htpasswd registry, a real agent and real Docker.
 *
 * The agent reaches Secrets Manager through a small recording proxy in front of the emulator: it shows the
 * calls are SigV4-signed with the execution role's temporary credentials, and it can hold one secret's answer
 * to stop a task deterministically before its pull begins (TaskStoppedBeforePullBeginError).
 */
import t, { type Test } from 'tap';
import { execFile, execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { createLogger, silentLogger } from '../../src/shared/log.js';
import { runUp } from '../../src/up/index.js';
import { haveRegistryTools, privateRegistry } from '../kit/registry.js';
import { haveAwsCli } from '../kit/aws-cli.js';
import { containersOfTask, CREDENTIALS, ecsClient, REGION, removeContainersOfCluster, removeDir, tempDir, startStack, waitFor } from '../kit/harness.js';

const run = promisify(execFile);
const PASSWORD = 'asm-s3cret-Zq7';
const EXEC_ROLE = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';


function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Forwards to the emulator, records every call, and holds the answer for `hold` until released. */
async function secretsProxy(t: Test, upstream: string, hold: string) {
  const calls: { target: string; secretId: string; authorization: string; token: string | undefined }[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let held = false;
  const server = createServer((req, res) => {
    void (async () => {
      const text = await body(req);
      const secretId = String((JSON.parse(text) as { SecretId?: unknown }).SecretId);
      calls.push({ target: String(req.headers['x-amz-target']), secretId, authorization: String(req.headers.authorization), token: req.headers['x-amz-security-token'] as string | undefined });
      if (secretId === hold) {
        held = true;
        await released;
      }
      const up = await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': String(req.headers['x-amz-target']) }, body: text });
      res.writeHead(up.status, { 'content-type': 'application/x-amz-json-1.1' }).end(await up.text());
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    release();
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, release, isHeld: () => held };
}

t.test('repositoryCredentials: the secret is read with the execution role and used for that pull only', { skip: (!haveRegistryTools && 'needs docker-registry and htpasswd') || (!haveAwsCli() && 'aws CLI not on PATH') }, async (t) => {
  const { host, image } = await privateRegistry(t, 'berth', PASSWORD);
  const logLines: string[] = [];
  let proxy!: Awaited<ReturnType<typeof secretsProxy>>;
  const { emulator, ecs, agent, cluster, dir } = await startStack(t, {
    name: 'asm',
    portRange: '55000-55499',
    // A refused pull is retried 5 times; keep the backoff short.
    extra: async (url) => {
      proxy = await secretsProxy(t, url, 'asm-held');
      return {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url,
        BERTH_IMAGE_PULL_BACKOFF: '50ms,100ms',
        // Instance-wide credentials for the same registry that do not work: the container's own must win.
        ECS_ENGINE_AUTH_TYPE: 'docker',
        ECS_ENGINE_AUTH_DATA: JSON.stringify({ [host]: { username: 'berth', password: 'engine-wide-wrong' } }),
      };
    },
    log: createLogger({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
  });
  t.teardown(() => agent.close());

  const createSecret = async (name: string, value: string): Promise<string> => {
    const { stdout } = await run('aws', ['--endpoint-url', emulator.url, '--output', 'json', 'secretsmanager', 'create-secret', '--name', name, '--secret-string', value], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_DEFAULT_REGION: REGION, AWS_PAGER: '' },
    });
    return (JSON.parse(stdout) as { ARN: string }).ARN;
  };
  const goodArn = await createSecret('asm-good', JSON.stringify({ username: 'berth', password: PASSWORD }));
  await createSecret('asm-wrong', JSON.stringify({ username: 'berth', password: 'not-the-password' }));
  await createSecret('asm-held', JSON.stringify({ username: 'berth', password: PASSWORD }));

  const runWith = async (family: string, container: Partial<ContainerDefinition>, executionRole = true): Promise<string> => {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family,
      ...(executionRole ? { executionRoleArn: EXEC_ROLE } : {}),
      containerDefinitions: [{ name: 'app', image, essential: true, memory: 32, command: ['sh', '-c', 'trap "exit 0" TERM; sleep 300 & wait'], ...container }],
    }));
    const out = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }));
    return out.tasks![0]!.taskArn!;
  };
  const describe = async (arn: string) => (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;
  const settled = (arn: string, status: string, timeoutMs = 30_000) =>
    waitFor(`task ${status}`, async () => {
      const task = await describe(arn);
      return task.lastStatus === status ? task : undefined;
    }, timeoutMs);

  await t.test('(a) the image that only the htpasswd registry has pulls with the secret (not ECS_ENGINE_AUTH_DATA) and runs', async (t) => {
    t.throws(() => execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }), 'not in the local Docker before');
    const arn = await runWith('asm-ok', { repositoryCredentials: { credentialsParameter: goodArn } });
    const task = await settled(arn, 'RUNNING');
    t.type(task.pullStartedAt, Date, 'it really pulled');
    t.equal(task.containers![0]!.lastStatus, 'RUNNING');
    const call = proxy.calls.find((c) => c.secretId === goodArn)!;
    t.equal(call.target, 'secretsmanager.GetSecretValue');
    t.match(call.authorization, new RegExp(`^AWS4-HMAC-SHA256 Credential=ASIA[A-Z2-7]{16}/\\d{8}/${REGION}/secretsmanager/aws4_request, SignedHeaders=\\S*x-amz-target\\S*, Signature=[0-9a-f]{64}$`), 'SigV4 with temporary (execution role) keys');
    t.ok(call.token, 'with the session token');
    // The running task's record (spec and state, SQLite file and WAL) names the secret, never its value.
    const stateDir = path.join(dir, 'agent');
    const state = Buffer.concat(readdirSync(stateDir).filter((f) => f.includes('.db')).map((f) => readFileSync(path.join(stateDir, f))));
    t.ok(state.includes(arn), 'the task is in the agent state');
    t.ok(state.includes(goodArn), 'with the secret ARN');
    t.notOk(state.includes(PASSWORD), 'but not the secret');
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await settled(arn, 'STOPPED');
  });

  await t.test('(b) a wrong password in the secret: the registry refuses the pull (CannotPullContainerError)', async (t) => {
    execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
    const arn = await runWith('asm-wrong', { repositoryCredentials: { credentialsParameter: 'asm-wrong' } });
    const task = await settled(arn, 'STOPPED');
    // The secret was read; Docker's pull was refused by the registry, which is the daemon's error (§5.6).
    t.match(task.containers![0]!.reason, /^CannotPullContainerError: .*(unauthorized|authentication required|no basic auth)/i, String(task.containers![0]!.reason));
    t.type(task.pullStartedAt, Date, 'the pull was attempted');
    t.same(containersOfTask(arn), [], 'no container was created');
  });

  await t.test('(c) a secret that does not exist: CannotPullContainerAuthError, no pull, no container', async (t) => {
    const arn = await runWith('asm-missing', { repositoryCredentials: { credentialsParameter: 'asm-no-such-secret' } });
    const task = await settled(arn, 'STOPPED');
    t.match(task.containers![0]!.reason, /^CannotPullContainerAuthError: fetching secret asm-no-such-secret from Secrets Manager: ResourceNotFoundException: /);
    t.equal(task.stoppedReason?.startsWith('CannotPullContainerAuthError: '), true, 'the task says why too');
    t.equal(task.pullStartedAt, undefined, 'no pull was attempted');
    t.same(containersOfTask(arn), [], 'no container was created');
  });

  await t.test('(c2) no execution role to read the secret with: CannotPullContainerAuthError at once', async (t) => {
    const calls = proxy.calls.length;
    const arn = await runWith('asm-no-role', { repositoryCredentials: { credentialsParameter: 'asm-good' } }, false);
    const task = await settled(arn, 'STOPPED');
    t.match(task.containers![0]!.reason, /^CannotPullContainerAuthError: .*no execution role/);
    t.equal(proxy.calls.length, calls, 'Secrets Manager was not called');
    t.same(containersOfTask(arn), [], 'no container was created');
  });

  await t.test('(e) stopped while its pull waits for the credentials: TaskStoppedBeforePullBeginError, never pulled', async (t) => {
    execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
    const arn = await runWith('asm-held', { repositoryCredentials: { credentialsParameter: 'asm-held' } });
    await waitFor('the held GetSecretValue', async () => (proxy.isHeld() ? true : undefined));
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await waitFor('the agent to want the task STOPPED', async () => {
      const res = await fetch(`http://127.0.0.1:${agent.introspectionPort}/v1/tasks?taskarn=${encodeURIComponent(arn)}`);
      return ((await res.json()) as { DesiredStatus?: string }).DesiredStatus === 'STOPPED' ? true : undefined;
    });
    proxy.release(); // valid credentials arrive, but too late: the task is no longer wanted
    const task = await settled(arn, 'STOPPED');
    t.equal(task.containers![0]!.reason, `TaskStoppedBeforePullBeginError: Task stopped before image pull could begin for task: ${arn}`);
    t.equal(task.pullStartedAt, undefined, 'never pulled');
    t.throws(() => execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }), 'the image is still not local');
    t.same(containersOfTask(arn), [], 'no container was created');
  });

  t.test('the secret never reaches a log line', async (t) => {
    const logs = logLines.join('');
    t.ok(logs.includes('registry credentials unavailable'), 'the agent did log (at debug) while this ran');
    t.notOk(logs.includes(PASSWORD), 'not in the logs');
    t.notOk(logs.includes('not-the-password'), 'not even the wrong one');

  });
});

t.test('berth up works out of the box: its agent reads registry credentials from the emulator', { skip: (!haveRegistryTools && 'needs docker-registry and htpasswd') || (!haveAwsCli() && 'aws CLI not on PATH') }, async (t) => {
  const { image } = await privateRegistry(t, 'berth', PASSWORD);
  const dir = tempDir('asm-up');
  const cluster = `asm-up-${process.pid}`;
  const up = await runUp({
    port: 0,
    dataDir: dir,
    cluster,
    region: REGION,
    // Only what keeps this test beside others: free local ports, its own dynamic port range, a quick cleanup.
    env: { BERTH_INTROSPECTION_PORT: '0', BERTH_METADATA_PORT: '0', ECS_DYNAMIC_HOST_PORT_RANGE: '55000-55499', ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1s', ECS_CONTAINER_STOP_TIMEOUT: '5s' },
    log: silentLogger(),
    print: () => undefined,
  });
  t.teardown(async () => {
    await up.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  await run('aws', ['--endpoint-url', up.url, 'secretsmanager', 'create-secret', '--name', 'up-creds', '--secret-string', JSON.stringify({ username: 'berth', password: PASSWORD })], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDBERTHLOCAL', AWS_SECRET_ACCESS_KEY: 'berth-local-secret', AWS_DEFAULT_REGION: REGION, AWS_PAGER: '' },
  });
  const ecs = ecsClient(up.url);
  t.teardown(() => ecs.destroy());
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'asm-up',
    executionRoleArn: EXEC_ROLE,
    containerDefinitions: [{ name: 'app', image, essential: true, memory: 32, command: ['sh', '-c', 'trap "exit 0" TERM; sleep 300 & wait'], repositoryCredentials: { credentialsParameter: 'up-creds' } }],
  }));
  const arn = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'asm-up' }))).tasks![0]!.taskArn!;
  const task = await waitFor('RUNNING', async () => {
    const got = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;
    if (got.lastStatus === 'STOPPED') throw new Error(`stopped: ${got.containers?.[0]?.reason ?? ''}`);
    return got.lastStatus === 'RUNNING' ? got : undefined;
  }, 30_000);
  t.type(task.pullStartedAt, Date, 'pulled from the private registry with the secret');
});
