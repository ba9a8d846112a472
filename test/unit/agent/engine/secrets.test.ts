/**
 * Container secrets on the agent side (engine/secrets.ts, engine/secrets-spec.ts, api/ssm.ts) against the real
 * emulator on port 0, through a recording proxy that counts and inspects the calls: SSM batching per region and
 * per 10 names, one GetSecretValue per distinct secret version, json-key / version-stage suffixes, the official
 * failure reasons, the execution role requirement, and values that never appear in an error.
 */
import t, { type Test } from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { getParameters, ssmEndpoint } from '../../../../src/agent/api/ssm.js';
import { containerSecretValues, resolveTaskSecrets, taskSecrets, type TaskSecretsInput } from '../../../../src/agent/engine/secrets.js';
import { parseAsmValueFrom, parseSecrets } from '../../../../src/agent/engine/secrets-spec.js';
import { buildCreateRequest } from '../../../../src/agent/engine/create-request.js';
import type { ContainerSpec, SecretSpec, TaskRecord } from '../../../../src/agent/model/task.js';
import type { IAMRoleCredentials } from '../../../../src/shared/protocol/acs.js';
import { createLogger } from '../../../../src/shared/log.js';
import { startTestEmulator } from '../../../kit/emulator.js';
import { container, record } from '../../../kit/engine-fixtures.js';

const CREDS: IAMRoleCredentials = { credentialsId: 'exec-1', accessKeyId: 'ASIAEXAMPLEEXAMPLE00', secretAccessKey: 'secret', sessionToken: 'token' };
const SECRET_VALUE = 'hunter2-Zq7';

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

interface Call {
  target: string;
  /** The credential scope's region in the SigV4 Authorization header. */
  region: string;
  body: Record<string, unknown>;
}

/** The emulator behind a proxy that records every call. */
async function services(t: Test): Promise<{ url: string; upstream: string; calls: Call[] }> {
  const { emu } = await startTestEmulator(t);
  const calls: Call[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const text = await body(req);
      const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization));
      calls.push({ target: String(req.headers['x-amz-target']), region: scope?.[1] ?? '', body: JSON.parse(text) as Record<string, unknown> });
      const up = await fetch(emu.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': String(req.headers['x-amz-target']) }, body: text });
      res.writeHead(up.status, { 'content-type': 'application/x-amz-json-1.1' }).end(await up.text());
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, upstream: emu.url, calls };
}

async function call(url: string, target: string, input: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', headers: { 'X-Amz-Target': target }, body: JSON.stringify(input) });
  const out = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(JSON.stringify(out));
  return out;
}

const putParameter = (url: string, name: string, value: string): Promise<unknown> => call(url, 'AmazonSSM.PutParameter', { Name: name, Value: value, Type: 'SecureString' });
const createSecret = async (url: string, name: string, value: string): Promise<string> => (await call(url, 'secretsmanager.CreateSecret', { Name: name, SecretString: value }))['ARN'] as string;

const ssm = (name: string, valueFrom: string, region = ''): SecretSpec => ({ name, valueFrom, provider: 'ssm', region });
const asm = (name: string, valueFrom: string): SecretSpec => ({ name, valueFrom, provider: 'asm', region: 'us-east-1' });

function task(containers: ContainerSpec[], executionRole = true): TaskRecord {
  const rec = record(containers);
  if (executionRole) rec.spec.executionCredentialsId = CREDS.credentialsId!;
  return rec;
}

function input(rec: TaskRecord, url: string, over: Partial<TaskSecretsInput> = {}): TaskSecretsInput {
  return { rec, credentials: () => CREDS, stopped: () => false, region: 'us-east-1', ssmEndpoint: url, secretsManagerEndpoint: url, signal: new AbortController().signal, ...over };
}

async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  return p.then(() => new Error('unexpectedly succeeded'), (e: unknown) => e as Error);
}

t.test('SSM secrets are read with one GetParameters per region and per 10 names, signed with the execution role', async (t) => {
  const { url, calls } = await services(t);
  const names = Array.from({ length: 12 }, (_, i) => `/app/p${i}`);
  for (const n of names) await putParameter(url, n, `value-of-${n}`);
  const rec = task([
    container('a', { secrets: names.slice(0, 7).map((n, i) => ssm(`A${i}`, n)) }),
    container('b', { secrets: [...names.slice(5).map((n, i) => ssm(`B${i}`, n)), ssm('OTHER_REGION', '/app/p0', 'eu-west-1')] }),
  ]);
  const values = await resolveTaskSecrets(input(rec, url));
  t.not(values, 'stopped');
  if (values === 'stopped') return;
  const gets = calls.filter((c) => c.target === 'AmazonSSM.GetParameters');
  t.same(gets.map((c) => [c.region, (c.body['Names'] as string[]).length, c.body['WithDecryption']]).sort(), [['eu-west-1', 1, true], ['us-east-1', 10, true], ['us-east-1', 2, true]], '12 distinct names in us-east-1: 10 + 2; eu-west-1 apart');
  const a = containerSecretValues(rec.spec.containers[0]!, values, 'us-east-1').env;
  t.equal(a['A6'], 'value-of-/app/p6');
  const b = containerSecretValues(rec.spec.containers[1]!, values, 'us-east-1').env;
  t.equal(b['B0'], 'value-of-/app/p5', 'a name both containers use was asked once and serves both');
  t.equal(b['OTHER_REGION'], 'value-of-/app/p0');
});

t.test('an SSM parameter named by its ARN resolves; an unknown one fails with the official reason', async (t) => {
  const { url } = await services(t);
  await putParameter(url, '/db/pass', SECRET_VALUE);
  const arn = ((await call(url, 'AmazonSSM.GetParameter', { Name: '/db/pass' }))['Parameter'] as { ARN: string }).ARN;
  const ok = task([container('c', { secrets: [ssm('PASS', arn)] })]);
  const values = await resolveTaskSecrets(input(ok, url));
  t.same(values === 'stopped' ? values : containerSecretValues(ok.spec.containers[0]!, values, 'us-east-1').env, { PASS: SECRET_VALUE });

  const missing = task([container('c', { secrets: [ssm('PASS', '/db/pass'), ssm('GONE', '/db/missing'), ssm('ALSO', 'nope')] })]);
  const err = await failure(resolveTaskSecrets(input(missing, url)));
  t.match(err, { code: 'ResourceInitializationError', message: 'fetching secret data from SSM Parameter Store in us-east-1: invalid parameters: /db/missing,nope' });
});

t.test('Secrets Manager: one GetSecretValue per distinct secret version; json-key, version-stage and version-id are honoured', async (t) => {
  const { url, calls } = await services(t);
  const db = await createSecret(url, 'db', JSON.stringify({ user: 'admin', password: SECRET_VALUE, port: 5432 }));
  const plain = await createSecret(url, 'plain', 'just-a-string');
  const version = ((await call(url, 'secretsmanager.GetSecretValue', { SecretId: 'db' }))['VersionId']) as string;
  calls.length = 0;
  const rec = task([
    container('a', { secrets: [asm('USER', `${db}:user::`), asm('PASSWORD', `${db}:password::`), asm('WHOLE', db)] }),
    container('b', { secrets: [asm('PORT', `${db}:port:AWSCURRENT:`), asm('PINNED', `${db}:user::${version}`), asm('PLAIN', plain)] }),
  ]);
  const values = await resolveTaskSecrets(input(rec, url));
  if (values === 'stopped') return t.fail('stopped');
  t.same(containerSecretValues(rec.spec.containers[0]!, values, 'us-east-1').env, { USER: 'admin', PASSWORD: SECRET_VALUE, WHOLE: JSON.stringify({ user: 'admin', password: SECRET_VALUE, port: 5432 }) });
  t.same(containerSecretValues(rec.spec.containers[1]!, values, 'us-east-1').env, { PORT: '5432', PINNED: 'admin', PLAIN: 'just-a-string' }, 'a number is printed');
  const asked = calls.map((c) => [c.body['SecretId'], c.body['VersionStage'] ?? '', c.body['VersionId'] ?? '']).sort();
  t.same(asked, [[db, '', ''], [db, '', version], [db, 'AWSCURRENT', ''], [plain, '', '']].sort(), 'the three keys of the same version share one call; the suffix is not sent as the id');
});

t.test('Secrets Manager failures carry the official reasons and never the value', async (t) => {
  const { url } = await services(t);
  const db = await createSecret(url, 'db', JSON.stringify({ user: 'admin' }));
  const text = await createSecret(url, 'text', SECRET_VALUE);
  const missing = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-AbCdEf';
  const reason = async (secrets: SecretSpec[]) => (await failure(resolveTaskSecrets(input(task([container('c', { secrets })]), url)))).message;
  t.equal(await reason([asm('X', missing)]), `The task can't retrieve the secret with ARN '${missing}' from AWS Secrets Manager. Check that the secret ARN is correct: ResourceNotFoundException: Secrets Manager can't find the specified secret.`);
  t.equal(await reason([asm('X', `${db}:password::`)]), 'retrieved secret from Secrets Manager did not contain json key password');
  const notJson = await reason([asm('X', `${text}:key::`)]);
  t.match(notJson, /is not JSON, so it has no json key key/);
  t.notMatch(notJson, /hunter2/, 'the parser message (which quotes the value) is not used');
  t.match(await reason([asm('X', `${db}:user:AWSPREVIOUS:`)]), /^The task can't retrieve the secret with ARN '.*db-\w{6}' .*: ResourceNotFoundException: .*staging label: AWSPREVIOUS/, 'a version that does not exist');
  t.equal(await reason([asm('X', missing), asm('Y', `${db}:password::`)]), `The task can't retrieve the secret with ARN '${missing}' from AWS Secrets Manager. Check that the secret ARN is correct: ResourceNotFoundException: Secrets Manager can't find the specified secret.;retrieved secret from Secrets Manager did not contain json key password`, 'every failure, joined by ;');
});

t.test('execution role credentials: required, waited for when late, and the wait ends when the task stops', async (t) => {
  const { url, upstream, calls } = await services(t);
  await putParameter(upstream, '/p', 'v');
  const noRole = (secrets: SecretSpec[]) => failure(resolveTaskSecrets(input(task([container('c', { secrets })], false), url)));
  t.match(await noRole([ssm('P', '/p'), asm('S', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf')]), { code: 'ResourceInitializationError', message: 'ssm secret resource: unable to find execution role credentials' });
  t.match(await noRole([asm('S', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf')]), { message: 'ASM secret resource: unable to find execution role credentials' });
  t.equal(calls.length, 0, 'no service was called');

  let polls = 0;
  const late = await resolveTaskSecrets(input(task([container('c', { secrets: [ssm('P', '/p')] })]), url, { credentials: () => (++polls < 3 ? undefined : CREDS) }));
  t.equal(late === 'stopped' ? late : late.size, 1, 'read once ACS delivered the credentials (as after an agent restart)');
  const started = Date.now();
  t.match(await failure(resolveTaskSecrets(input(task([container('c', { secrets: [ssm('P', '/p')] })]), url, { credentials: () => undefined, credentialsWaitMs: 300 }))), { message: 'ssm secret resource: unable to find execution role credentials' });
  t.ok(Date.now() - started >= 300, 'waited the allowed time');
  t.equal(await resolveTaskSecrets(input(task([container('c', { secrets: [ssm('P', '/p')] })]), url, { credentials: () => undefined, stopped: () => true })), 'stopped');
});

t.test('containers of one task share one read of its secrets', async (t) => {
  const { url, upstream, calls } = await services(t);
  await putParameter(upstream, '/p', 'v');
  const rec = task([container('a', { secrets: [ssm('P', '/p')] }), container('b', { secrets: [ssm('Q', '/p')] })]);
  const [x, y] = await Promise.all([taskSecrets(input(rec, url)), taskSecrets(input(rec, url))]);
  t.equal(x, y, 'the same result');
  t.equal(calls.length, 1, 'one GetParameters');
});

t.test('secrets win over the environment of the same name in the create request; only values go to Docker', async (t) => {
  const spec = container('app', { environment: { A: 'plain', KEEP: 'k' }, secrets: [ssm('A', '/a')] });
  const rec = record([spec]);
  const state = { ...rec.state.containers[0]!, dockerName: 'ecs-fam-2-app-x' };
  const req = buildCreateRequest({ task: rec.spec, spec, state, cluster: 'c', fileEnvironment: { A: 'file', F: 'f' }, secretEnvironment: { A: 'from-secret' } });
  const env = req.body['Env'] as string[];
  t.ok(env.includes('A=from-secret'));
  t.notOk(env.includes('A=plain'));
  t.ok(env.includes('KEEP=k') && env.includes('F=f'));
  // Should the request (or a Secrets Manager answer) ever reach a log line, the values stay out of it.
  const lines: string[] = [];
  const log = createLogger({ level: 'debug' }, { write: (l: string) => void lines.push(l) });
  log.debug({ req }, 'create request');
  log.debug(req.body, 'create body');
  log.debug({ answer: { SecretString: 'from-secret' } }, 'answer');
  t.equal(lines.length, 3);
  t.notMatch(lines.join(''), /from-secret/);
});

t.test('ACS secrets are parsed: environment-variable secrets for the container and log driver options', async (t) => {
  const fail = (why: string): never => {
    throw new Error(why);
  };
  const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf';
  t.same(parseSecrets([{ name: 'A', valueFrom: '/a', provider: 'ssm', region: 'us-east-1', type: 'ENVIRONMENT_VARIABLE', target: 'CONTAINER' }], 'c', fail), { secrets: [ssm('A', '/a', 'us-east-1')] });
  t.same(parseSecrets([{ name: 'B', valueFrom: arn, provider: 'asm' }], 'c', fail), { secrets: [{ name: 'B', valueFrom: arn, provider: 'asm', region: '' }] }, 'type and target default');
  t.same(parseSecrets([], 'c', fail), {});
  t.same(parseSecrets([{ name: 'L', valueFrom: '/a', provider: 'ssm', target: 'LOG_DRIVER' }], 'c', fail), { secrets: [{ name: 'L', valueFrom: '/a', provider: 'ssm', region: '', target: 'LOG_DRIVER' }] });
  t.throws(() => parseSecrets([{ name: 'M', valueFrom: '/a', provider: 'ssm', type: 'MOUNT_POINT' }], 'c', fail), /not supported/);
  t.throws(() => parseSecrets([{ name: 'X', valueFrom: '/a' }], 'c', fail), /provider/);
  t.throws(() => parseSecrets([{ name: 'X', valueFrom: '/not-an-arn', provider: 'asm' }], 'c', fail), /not a Secrets Manager secret ARN/);
  t.throws(() => parseSecrets([{ valueFrom: '/a', provider: 'ssm' }], 'c', fail), /name is missing/);
  t.same(parseAsmValueFrom(`${arn}:k:AWSPREVIOUS:v1`), { secretId: arn, region: 'eu-west-1', jsonKey: 'k', versionStage: 'AWSPREVIOUS', versionId: 'v1' });
  t.same(parseAsmValueFrom(arn), { secretId: arn, region: 'eu-west-1', jsonKey: undefined, versionStage: undefined, versionId: undefined });
  t.equal(parseAsmValueFrom(`${arn}:k`), undefined, 'a partial suffix');
});

t.test('the SSM endpoint: the region default, AWS_ENDPOINT_URL, and the service-specific override; GetParameters takes 1-10 names', async (t) => {
  t.equal(ssmEndpoint(undefined, 'eu-west-1'), 'https://ssm.eu-west-1.amazonaws.com');
  const cfg = (env: Record<string, string>) => loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ...env }, { configFile: '/nonexistent/x' });
  t.equal(cfg({}).ssmEndpoint, undefined);
  t.equal(cfg({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566/' }).ssmEndpoint, 'http://127.0.0.1:4566');
  t.equal(cfg({ AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_SSM: 'http://b:2' }).ssmEndpoint, 'http://b:2', 'the service-specific one wins');
  t.throws(() => cfg({ AWS_ENDPOINT_URL_SSM: 'ftp://x' }), { code: 'ConfigError', message: /AWS_ENDPOINT_URL_SSM/ });
  const opts = { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 's' }, signal: new AbortController().signal };
  await t.rejects(getParameters({ ...opts, names: [] }), RangeError);
  await t.rejects(getParameters({ ...opts, names: Array.from({ length: 11 }, (_, i) => `n${i}`) }), RangeError);
});

t.test('a container secret and a log driver secret resolve to the environment and the driver options', async (t) => {
  const spec = {
    name: 'app',
    secrets: [
      { name: 'DB', valueFrom: '/db', provider: 'ssm' as const, region: '' },
      { name: 'splunk-token', valueFrom: '/token', provider: 'ssm' as const, region: '', target: 'LOG_DRIVER' as const },
    ],
  } as unknown as Parameters<typeof containerSecretValues>[0];
  const values = new Map([['ssm\u0000us-east-1\u0000/db', 'db-pass'], ['ssm\u0000us-east-1\u0000/token', 'tok']]);
  t.same(containerSecretValues(spec, values, 'us-east-1'), { env: { DB: 'db-pass' }, logOptions: { 'splunk-token': 'tok' } });
});
