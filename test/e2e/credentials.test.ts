/**
 * Task role credentials end to end: the emulator issues and refreshes them, the agent serves them to the task
 * that owns them only. As root this file turns the link-local endpoint on (169.254.170.2 -> this agent): that
 * is host-wide state, so it is the only test file that does, and its one agent removes the rules at close.
 * Every log line of agent and emulator, at trace level, is captured and scanned for secrets at the end.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { RegisterTaskDefinitionCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { createLogger } from '../../src/shared/log.js';
import { startStack, waitFor } from '../kit/harness.js';
import { IDLE_CONTAINER, containerEnv, fetchJsonInContainer, inContainer, runUntilRunning, waitStopped } from '../kit/metadata.js';

const ROOT = process.getuid?.() === 0;
const TASK_ROLE = 'arn:aws:iam::000000000000:role/md-app';
const SECRETS = { DB_PASSWORD: `hunter2-${process.pid}-s3cr3t`, API_TOKEN: `tok_${Date.now().toString(36)}_SECRETVALUE` };

interface Creds {
  RoleArn: string;
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
  Expiration: string;
}

t.test('task role credentials reach only their own task, refresh in place, go with the task, and are never logged', async (t) => {
  const lines: string[] = [];
  const log = createLogger({ level: 'trace' }, { write: (s: string) => void lines.push(s) });
  const { ecs, agent, cluster } = await startStack(t, {
    name: 'md-cred',
    portRange: '47100-47199',
    emulator: { log, credentials: { refreshMs: 1500 } },
    extra: { ECS_ENABLE_TASK_IAM_ROLE: 'true', BERTH_LINK_LOCAL_ENDPOINT: String(ROOT), ECS_LOGLEVEL: 'trace' },
    log,
  });

  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'md-cred',
      taskRoleArn: TASK_ROLE,
      executionRoleArn: 'arn:aws:iam::000000000000:role/md-exec',
      containerDefinitions: [{ ...IDLE_CONTAINER, environment: Object.entries(SECRETS).map(([name, value]) => ({ name, value })) }],
    }),
  );
  const a = await runUntilRunning(ecs, cluster, 'md-cred');
  const b = await runUntilRunning(ecs, cluster, 'md-cred');

  // As root, the official way: the SDK-style URL on 169.254.170.2. Otherwise the metadata server's own address.
  const base = ROOT ? 'http://169.254.170.2' : '${ECS_CONTAINER_METADATA_URI%/v3/*}';
  if (ROOT) t.match(await containerEnv(a.dockerId, 'ECS_CONTAINER_METADATA_URI_V4'), /^http:\/\/169\.254\.170\.2\/v4\/[0-9a-f-]{36}$/, 'the official link-local URIs as root');
  const uriA = await containerEnv(a.dockerId, 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');
  t.match(uriA, /^\/v2\/credentials\/[0-9a-f-]{36}$/, 'the relative URI is injected');

  const first = (await fetchJsonInContainer(a.dockerId, `${base}$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`)) as Creds;
  t.same(Object.keys(first), ['RoleArn', 'AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration']);
  t.match(first, { RoleArn: TASK_ROLE, AccessKeyId: /^ASIA[A-Z2-7]{16}$/, SecretAccessKey: /^.{40}$/, Expiration: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/ });

  const stolen = await inContainer(b.dockerId, `wget -q -O - "${base}${uriA}"`);
  t.not(stolen.code, 0, 'another task using that id is refused');
  t.match(stolen.stderr, /400/, '... with 400, like an unknown id');
  const own = (await fetchJsonInContainer(b.dockerId, `${base}$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`)) as Creds;
  t.not(own.AccessKeyId, first.AccessKeyId, 'the other task has credentials of its own');

  const startedAt = execFileSync('docker', ['inspect', '-f', '{{.State.StartedAt}}', a.dockerId], { encoding: 'utf8' });
  const refreshed = await waitFor('refreshed credentials at the same URI', async () => {
    const c = (await fetchJsonInContainer(a.dockerId, `${base}${uriA}`)) as Creds;
    return c.AccessKeyId !== first.AccessKeyId ? c : undefined;
  }, 15_000);
  t.not(refreshed.SecretAccessKey, first.SecretAccessKey, 'a refresh brings new keys under the same id');
  t.equal(execFileSync('docker', ['inspect', '-f', '{{.State.StartedAt}}', a.dockerId], { encoding: 'utf8' }), startedAt, 'without restarting the container');

  await ecs.send(new StopTaskCommand({ cluster, task: a.taskArn }));
  await waitStopped(ecs, cluster, a.taskArn);
  const after = await fetch(`http://127.0.0.1:${agent.metadataPort}${uriA}`);
  t.equal(after.status, 400, 'after the task stops its id returns 400');
  t.match(await after.json(), { code: 'InvalidIdInRequest', HTTPErrorCode: 400 });

  await agent.close();
  if (ROOT) {
    const rules = execFileSync('iptables', ['-w', '5', '-t', 'nat', '-S'], { encoding: 'utf8' });
    t.notMatch(rules, `berth-tmds-${agent.metadataPort}`, 'the link-local rules are removed at stop');
  }

  const secrets = [first, refreshed, own].flatMap((c) => [c.AccessKeyId, c.SecretAccessKey, c.Token]).concat(Object.values(SECRETS));
  const all = lines.join('');
  t.ok(all.includes('"component":"emulator"') && all.includes('registered container instance'), `agent and emulator logs were captured (${lines.length} lines)`);
  for (const s of secrets) t.notOk(all.includes(s), `no log line contains the secret ${s.slice(0, 6)}…`);
});
