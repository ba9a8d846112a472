/**
 * ECR registry authentication end to end (spec §3.4, §5.6, §10): the emulator plays ECR with a local htpasswd
 * registry (its "emulated ECR registry"), a task definition names an image that exists only there, and a real
 * agent pulls it with an ECR GetAuthorizationToken token on real Docker.
 *
 * The agent reaches the emulator's ECR API through a small recording proxy (the emulator's --ecr-endpoint): it
 * shows the calls are SigV4-signed (service ecr) with the execution role or the instance credentials, counts them
 * (tokens are cached), and can answer with an error or forward to an emulator configured with a wrong password.
 */
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { createLogger, silentLogger } from '../../src/shared/log.js';
import { startEmulator } from '../../src/emulator/index.js';
import { runUp } from '../../src/up/index.js';
import { haveRegistryTools, privateRegistry } from '../kit/registry.js';
import { startFakeControlPlane, eventually } from '../kit/fake-control-plane.js';
import { agentFor, containersOfTask, CREDENTIALS, ecsClient, REGION, removeContainersOfCluster, removeDir, tempDir, waitFor } from '../kit/harness.js';

const PASSWORD = 'ecr-t0ken-Pw9';
const EXEC_ROLE = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';
const PORTS = '55500-55999';
const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; sleep 300 & wait'];

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

interface EcrCall {
  target: string;
  body: string;
  authorization: string;
  token: string | undefined;
}

/** Records every call and forwards it to `upstream` (or answers AccessDenied when `deny`). */
async function ecrProxy(t: Test) {
  const calls: EcrCall[] = [];
  const state = { upstream: '', deny: false };
  const server = createServer((req, res) => {
    void (async () => {
      const text = await body(req);
      calls.push({ target: String(req.headers['x-amz-target']), body: text, authorization: String(req.headers.authorization), token: req.headers['x-amz-security-token'] as string | undefined });
      if (state.deny) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'AccessDeniedException', message: 'not authorized to perform: ecr:GetAuthorizationToken' }));
        return;
      }
      const up = await fetch(state.upstream, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': String(req.headers['x-amz-target']) }, body: text });
      res.writeHead(up.status, { 'content-type': 'application/x-amz-json-1.1' }).end(await up.text());
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, state };
}

const skip = !haveRegistryTools && 'needs docker-registry and htpasswd';

t.test('images in the emulated ECR registry pull with ECR tokens', { skip }, async (t) => {
  const { host, image } = await privateRegistry(t, 'AWS', PASSWORD);
  const dir = tempDir('ecr');
  const cluster = `ecr-${process.pid}`;
  const proxy = await ecrProxy(t);
  const emuLines: string[] = [];
  const emulator = await startEmulator({
    port: 0, dataDir: `${dir}/emulator`, region: REGION, heartbeatIntervalMs: 1000,
    log: createLogger({ level: 'debug' }, { write: (line: string) => void emuLines.push(line) }),
    ecr: { registry: host, username: 'AWS', password: PASSWORD, endpoint: proxy.url },
  });
  // The same registry, configured with a wrong password: what the proxy forwards to in (d).
  const wrong = await startEmulator({ port: 0, dataDir: `${dir}/wrong`, region: REGION, log: silentLogger(), ecr: { registry: host, username: 'AWS', password: 'not-the-password' } });
  proxy.state.upstream = emulator.url;
  t.teardown(async () => {
    await emulator.close();
    await wrong.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  const ecs = ecsClient(emulator.url);
  t.teardown(() => ecs.destroy());
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const logLines: string[] = [];
  const agent = await agentFor({
    cluster, backend: emulator.url, dataDir: `${dir}/agent`, portRange: PORTS,
    extra: { BERTH_IMAGE_PULL_BACKOFF: '50ms,100ms' },
    log: createLogger({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
  });
  t.teardown(() => agent.close());

  const runWith = async (family: string, executionRoleArn: string | undefined, container: Partial<ContainerDefinition> = {}): Promise<string> => {
    await ecs.send(new RegisterTaskDefinitionCommand({
      family,
      ...(executionRoleArn ? { executionRoleArn } : {}),
      containerDefinitions: [{ name: 'app', image, essential: true, memory: 32, command: SLEEPER, ...container }],
    }));
    return (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: family }))).tasks![0]!.taskArn!;
  };
  const describe = async (arn: string) => (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;
  const settled = (arn: string, status: string) =>
    waitFor(`task ${status}`, async () => {
      const task = await describe(arn);
      if (status === 'RUNNING' && task.lastStatus === 'STOPPED') throw new Error(`stopped: ${task.containers?.[0]?.reason ?? ''}`);
      return task.lastStatus === status ? task : undefined;
    }, 30_000);
  const stop = async (arn: string) => {
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
    await settled(arn, 'STOPPED');
  };
  const rmi = () => execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });

  await t.test('(a) with an execution role: the token is asked for with its credentials and the image runs', async (t) => {
    t.throws(() => execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }), 'not in the local Docker before');
    const arn = await runWith('ecr-role', EXEC_ROLE);
    const task = await settled(arn, 'RUNNING');
    t.type(task.pullStartedAt, Date, 'it really pulled');
    t.equal(proxy.calls.length, 1, 'one GetAuthorizationToken');
    const call = proxy.calls[0]!;
    t.equal(call.target, 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken');
    t.same(JSON.parse(call.body), { registryIds: ['000000000000'] }, "the emulator account's registry");
    t.match(call.authorization, new RegExp(`^AWS4-HMAC-SHA256 Credential=ASIA[A-Z2-7]{16}/\\d{8}/${REGION}/ecr/aws4_request, `), 'SigV4 (ecr) with the temporary execution role keys');
    t.ok(call.token, 'with the session token');
    const state = Buffer.concat(readdirSync(`${dir}/agent`).filter((f) => f.includes('.db')).map((f) => readFileSync(path.join(`${dir}/agent`, f))));
    t.ok(state.includes(arn), 'the task is in the agent state');
    t.notOk(state.includes(PASSWORD), 'the token is not');
    t.notOk(state.includes(Buffer.from(`AWS:${PASSWORD}`).toString('base64')), 'not even encoded');
    await stop(arn);
  });

  await t.test('(b) the token is cached: the next task pulls again without asking ECR', async (t) => {
    rmi();
    const arn = await runWith('ecr-role-2', EXEC_ROLE);
    const task = await settled(arn, 'RUNNING');
    t.type(task.pullStartedAt, Date, 'it pulled the removed image again');
    t.equal(proxy.calls.length, 1, 'no second GetAuthorizationToken');
    await stop(arn);
  });

  await t.test('(c) without an execution role: the instance credentials ask for the token', async (t) => {
    rmi();
    const arn = await runWith('ecr-instance', undefined);
    const task = await settled(arn, 'RUNNING');
    t.type(task.pullStartedAt, Date);
    t.equal(proxy.calls.length, 2, 'a token of its own (another identity)');
    t.match(proxy.calls[1]!.authorization, new RegExp(`^AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/\\d{8}/${REGION}/ecr/aws4_request, `), 'signed with the agent\'s instance keys');
    t.equal(proxy.calls[1]!.token, undefined, 'static keys have no session token');
    await stop(arn);
  });

  await t.test('(d) an emulator configured with a wrong password: the registry refuses the pull (CannotPullContainerError)', async (t) => {
    rmi();
    proxy.state.upstream = wrong.url;
    t.teardown(() => void (proxy.state.upstream = emulator.url));
    // Another execution role: a token of its own, from the wrongly configured emulator.
    const arn = await runWith('ecr-wrong', 'arn:aws:iam::123456789012:role/otherExecutionRole');
    const task = await settled(arn, 'STOPPED');
    // The token was had; Docker's pull was refused by the registry, which is the daemon's error, as the official agent
    // reports a failed docker pull (§5.6). CannotPullECRContainerError is for failing to get the token.
    t.match(task.containers![0]!.reason, /^CannotPullContainerError: .*(unauthorized|authentication required|no basic auth)/i, String(task.containers![0]!.reason));
    t.type(task.pullStartedAt, Date, 'the pull was attempted');
    t.same(containersOfTask(arn), [], 'no container was created');
    t.equal(proxy.calls.length, 3);
  });

  await t.test('(e) GetAuthorizationToken refused: CannotPullECRContainerError, no pull, no container', async (t) => {
    proxy.state.deny = true;
    t.teardown(() => void (proxy.state.deny = false));
    const arn = await runWith('ecr-denied', 'arn:aws:iam::123456789012:role/deniedExecutionRole');
    const task = await settled(arn, 'STOPPED');
    t.equal(task.containers![0]!.reason, `CannotPullECRContainerError: ecr auth: GetAuthorizationToken for registry 000000000000 in ${REGION}: AccessDeniedException: not authorized to perform: ecr:GetAuthorizationToken`);
    t.equal(task.pullStartedAt, undefined, 'no pull was attempted');
    t.same(containersOfTask(arn), [], 'no container was created');
  });

  t.test('the token never reaches a log line or the emulator\'s data', async (t) => {
    const logs = logLines.join('');
    t.ok(logs.includes('got an ECR authorization token'), 'the agent did log (at debug) while this ran');
    for (const secret of [PASSWORD, Buffer.from(`AWS:${PASSWORD}`).toString('base64'), 'not-the-password']) {
      t.notOk(logs.includes(secret), 'not in the agent logs');
      t.notOk(emuLines.join('').includes(secret), 'not in the emulator logs');
    }
    const emuData = Buffer.concat(readdirSync(`${dir}/emulator`).map((f) => readFileSync(path.join(`${dir}/emulator`, f))));
    t.notOk(emuData.includes(PASSWORD), 'the emulator keeps the password in memory only');
  });
});

t.test('useExecutionRole without execution role credentials: CannotPullECRContainerError, ECR not asked, no container', { skip }, async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const proxy = await ecrProxy(t);
  const dir = tempDir('ecr-norole');
  const cluster = `ecr-norole-${process.pid}`;
  t.teardown(() => {
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  const agent = await agentFor({ cluster, backend: fake.url, dataDir: dir, portRange: PORTS });
  t.teardown(() => agent.close());
  const arn = `arn:aws:ecs:${REGION}:123456789012:task/${cluster}/${'e'.repeat(32)}`;
  await eventually('the ACS connection', () => fake.connections.length > 0 || undefined);
  fake.sendPayload([{
    arn, family: 'ecr-norole', version: '1', desiredStatus: 'RUNNING', networkMode: 'bridge', launchType: 'EC2', volumes: [],
    containers: [{
      name: 'app', image: '127.0.0.1:1/never/pulled:1', essential: true, cpu: 0, memory: 32, portMappings: [], environment: {}, command: SLEEPER,
      registryAuthentication: { type: 'ecr', ecrAuthData: { registryId: '000000000000', region: REGION, useExecutionRole: true, endpointOverride: proxy.url } },
    }],
  }]);
  const stopped = await eventually('STOPPED', () => fake.ofOperation('SubmitTaskStateChange').map((r) => r.body).find((b) => b['task'] === arn && b['status'] === 'STOPPED'), 30_000);
  const container = (stopped['containers'] as Record<string, unknown>[] | undefined)?.[0]
    ?? fake.ofOperation('SubmitTaskStateChange').flatMap((r) => (r.body['containers'] as Record<string, unknown>[] | undefined) ?? []).find((c) => c['status'] === 'STOPPED');
  t.equal(container?.['reason'], 'CannotPullECRContainerError: engine ecr credentials: not found', 'the official agent\'s reason');
  t.equal(proxy.calls.length, 0, 'ECR was not asked');
  t.same(containersOfTask(arn), [], 'no container was created');
});

t.test('berth up with an emulated ECR registry: its agent pulls from it out of the box', { skip }, async (t) => {
  const { host, image } = await privateRegistry(t, 'AWS', PASSWORD);
  const dir = tempDir('ecr-up');
  const cluster = `ecr-up-${process.pid}`;
  const printed: string[] = [];
  const up = await runUp({
    port: 0,
    dataDir: dir,
    cluster,
    region: REGION,
    ecr: { registry: host, username: 'AWS', password: PASSWORD },
    // Only what keeps this test beside others: free local ports, its own dynamic port range, a quick cleanup.
    env: { BERTH_INTROSPECTION_PORT: '0', BERTH_METADATA_PORT: '0', ECS_DYNAMIC_HOST_PORT_RANGE: PORTS, ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: '1s', ECS_CONTAINER_STOP_TIMEOUT: '5s' },
    log: silentLogger(),
    print: (line) => void printed.push(line),
  });
  t.teardown(async () => {
    await up.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
  });
  t.ok(printed.some((l) => l.includes(`images on ${host} pull with ECR tokens from ${up.url}`)), 'berth up says where ECR is');
  const ecs = ecsClient(up.url);
  t.teardown(() => ecs.destroy());
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'ecr-up', executionRoleArn: EXEC_ROLE, containerDefinitions: [{ name: 'app', image, essential: true, memory: 32, command: SLEEPER }] }));
  const arn = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'ecr-up' }))).tasks![0]!.taskArn!;
  const task = await waitFor('RUNNING', async () => {
    const got = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!;
    if (got.lastStatus === 'STOPPED') throw new Error(`stopped: ${got.containers?.[0]?.reason ?? ''}`);
    return got.lastStatus === 'RUNNING' ? got : undefined;
  }, 30_000);
  t.type(task.pullStartedAt, Date, 'pulled from the emulated ECR registry with an ECR token');
});
