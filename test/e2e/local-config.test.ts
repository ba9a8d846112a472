/**
 * The local endpoint settings on a real emulator + agent + Docker: the TMDS rate limit, AvailabilityZone switched
 * off, the credentials audit log (served, refused and unknown requests, no secret in it), ecs-init's filter rules
 * per setting and across a restart (root only), and ECS_LOGFILE through the real CLI process.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { CreateClusterCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { agentEnv, spawnAgent } from '../kit/agent-process.js';
import { agentFor, ecsClient, emulatorOn, removeDir, startStack, tempDir, waitFor } from '../kit/harness.js';
import { freePort } from '../kit/docker.js';
import { IDLE_CONTAINER, fetchJsonInContainer, inContainer, runUntilRunning } from '../kit/metadata.js';

const ROOT = process.getuid?.() === 0;

interface Creds {
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
}

const ruleCount = (tag: string): number =>
  execFileSync('iptables', ['-w', '5', '-S', 'INPUT'], { encoding: 'utf8' }).split('\n').filter((l) => l.endsWith(` ${tag} -j DROP`) || l.endsWith(` ${tag} -j ACCEPT`)).length;


t.test('a real agent limits TMDS to the configured burst, leaves out the AZ, and audits every credentials request without a secret', async (t) => {
  const stack = await startStack(t, {
    name: 'cfg-audit',
    portRange: '58000-58099',
    extra: { ECS_ENABLE_TASK_IAM_ROLE: 'true', ECS_TASK_METADATA_RPS_LIMIT: '5,12', ECS_DISABLE_TASK_METADATA_AZ: 'true' },
  });
  const { ecs, agent, cluster } = stack;
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'cfg-audit', taskRoleArn: 'arn:aws:iam::000000000000:role/cfg-app', containerDefinitions: [IDLE_CONTAINER] }));
  const task = await runUntilRunning(ecs, cluster, 'cfg-audit');
  const base = '${ECS_CONTAINER_METADATA_URI%/v3/*}';

  const creds = (await fetchJsonInContainer(task.dockerId, `${base}$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`)) as Creds;
  t.match(creds, { AccessKeyId: /^ASIA/ }, 'the owning task is served');
  const uri = (await inContainer(task.dockerId, 'printf %s "$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"')).stdout;
  const md = `http://127.0.0.1:${agent.metadataPort}`;
  const refused = await fetch(`${md}${uri}`, { headers: { 'User-Agent': 'cfg-test-prober' } });
  t.equal(refused.status, 400, 'the test process is not the task: refused');
  const unknown = await fetch(`${md}/v1/credentials?id=cfg-no-such-id`);
  t.equal(unknown.status, 400);

  const v4 = (await fetchJsonInContainer(task.dockerId, '${ECS_CONTAINER_METADATA_URI_V4}/task')) as Record<string, unknown>;
  t.equal(v4['TaskARN'], task.taskArn);
  t.notOk('AvailabilityZone' in v4, 'ECS_DISABLE_TASK_METADATA_AZ: no AvailabilityZone in the task response');

  const auditFile = `${stack.dir}/agent/log/audit.log`;
  const lines = readFileSync(auditFile, 'utf8').trim().split('\n');
  t.equal(statSync(auditFile).mode & 0o777, 0o600, 'the audit log is 0600, under <ECS_DATADIR>/log by default');
  t.equal(lines.length, 3, 'one line per credentials request');
  const ci = agent.containerInstanceArn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  t.match(lines[0], new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ 200 172\\.\\d+\\.\\d+\\.\\d+:\\d+ "/v2/credentials" "Wget" ${task.taskArn} GetCredentials 2 ${cluster} ${ci}$`), 'served, from the container');
  t.match(lines[1], new RegExp(` 400 127\\.0\\.0\\.1:\\d+ "/v2/credentials" "cfg-test-prober" ${task.taskArn} GetCredentials 2 ${cluster} `), 'refused, with the task whose id was tried');
  t.match(lines[2], / 400 127\.0\.0\.1:\d+ "\/v1\/credentials" "\S*" - GetCredentials 2 /, 'unknown id: no task');
  const text = lines.join('\n');
  for (const secret of [creds.AccessKeyId, creds.SecretAccessKey, creds.Token, uri.split('/').at(-1)!, 'cfg-no-such-id']) {
    t.notOk(text.includes(secret), `no ${secret.slice(0, 4)}… in the audit log`);
  }

  if (ROOT) {
    t.equal(ruleCount(`berth-introspection-${agent.introspectionPort}`), 2, 'introspection DROP + docker0 ACCEPT for the bound port');
    t.equal(ruleCount(`berth-localhost-${agent.metadataPort}`), 1, 'the localhost traffic filter');
  }

  // The bucket: 12 at once, then 5 per second. A burst of 40 gets 429 beyond what the bucket holds.
  const started = Date.now();
  const statuses = await Promise.all(Array.from({ length: 40 }, () => fetch(`${md}/v4/cfg-unknown/task`).then((r) => r.status)));
  const elapsed = (Date.now() - started) / 1000;
  const limited = statuses.filter((s) => s === 429).length;
  const passed = statuses.length - limited;
  t.ok(passed <= 12 + Math.ceil(5 * elapsed) + 1, `at most the burst (+ refill) got through: ${passed} in ${elapsed.toFixed(2)}s`);
  t.ok(limited >= 40 - 12 - Math.ceil(5 * elapsed) - 1, `the rest got 429: ${limited}`);
  t.ok(statuses.every((s) => s === 429 || s === 404), 'the others were answered normally');
  await waitFor('the bucket refills', async () => ((await fetch(`${md}/v4/cfg-unknown/task`)).status === 404 ? true : undefined), 5000);
});

t.test('the filter rules follow the switches, are never duplicated by a restart, and go at stop', { skip: ROOT ? false : 'iptables needs root' }, async (t) => {
  const ports = { BERTH_INTROSPECTION_PORT: String(await freePort()), BERTH_METADATA_PORT: String(await freePort()) };
  const stack = await startStack(t, { name: 'cfg-filter', portRange: '58100-58199', extra: ports });
  const intro = `berth-introspection-${ports.BERTH_INTROSPECTION_PORT}`;
  const local = `berth-localhost-${ports.BERTH_METADATA_PORT}`;
  t.equal(ruleCount(intro), 2);
  t.equal(ruleCount(local), 1);
  const intr = await fetch(`http://127.0.0.1:${ports.BERTH_INTROSPECTION_PORT}/v1/metadata`);
  t.equal(intr.status, 200, 'loopback reaches introspection through the rules');
  await stack.agent.close();
  t.equal(ruleCount(intro) + ruleCount(local), 0, 'removed at a clean stop');

  const env = { cluster: stack.cluster, backend: stack.emulator.url, dataDir: `${stack.dir}/agent`, portRange: '58100-58199' };
  const again = await agentFor({ ...env, extra: ports });
  t.equal(ruleCount(intro), 2, 'a restart on the same ports: one copy of each');
  t.equal(ruleCount(local), 1);
  await again.close();

  const open = await agentFor({ ...env, extra: { ...ports, ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS: 'true', ECS_SKIP_LOCALHOST_TRAFFIC_FILTER: 'true' } });
  t.teardown(() => open.close());
  t.equal(ruleCount(intro) + ruleCount(local), 0, 'allowed and skipped: no rules');
  const all = await fetch(`http://127.0.0.1:${open.introspectionPort}/v1/metadata`);
  t.equal(all.status, 200, 'introspection listens on every interface, loopback included');
  await open.close();
});

t.test('ECS_LOGFILE receives the agent log lines (0600) while stderr keeps them', async (t) => {
  const dir = tempDir('cfg-logfile');
  t.teardown(() => removeDir(dir));
  const emulator = await emulatorOn(`${dir}/emulator`);
  t.teardown(() => emulator.close());
  const cluster = `cfg-logfile-${process.pid}`;
  const ecs = ecsClient(emulator.url);
  t.teardown(() => ecs.destroy());
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const logFile = `${dir}/logs/ecs-agent.log`;
  const env = agentEnv({ cluster, backend: emulator.url, dataDir: `${dir}/agent`, portRange: '58200-58299', region: 'us-east-1', accessKeyId: 'AKIDBERTHTEST', secretAccessKey: 'berth-test-secret', extra: { ECS_LOGFILE: logFile, ECS_LOGLEVEL: 'info' } });
  const agent = spawnAgent(env);
  t.teardown(async () => {
    if (agent.child.exitCode === null) agent.child.kill('SIGKILL');
    await agent.exited;
  });
  await waitFor('agent ready in the log file', async () => (existsSync(logFile) && readFileSync(logFile, 'utf8').includes('"msg":"agent ready"') ? true : undefined), 30_000);
  t.equal(statSync(logFile).mode & 0o777, 0o600);
  const lines = readFileSync(logFile, 'utf8').trim().split('\n');
  t.ok(lines.every((l) => JSON.parse(l) !== undefined), `JSON lines (${lines.length})`);
  t.ok(lines.some((l) => l.includes('local endpoints listening')));
  t.notOk(readFileSync(logFile, 'utf8').includes('berth-test-secret'), 'credentials stay redacted in the file');
  agent.child.kill('SIGTERM');
  t.match(await agent.exited, { code: 0 });
  t.match(agent.stderr(), /"msg":"agent ready"/, 'stderr has the same lines');
  t.match(readFileSync(logFile, 'utf8'), /shutting down/, 'and the file has them to the end');
});
