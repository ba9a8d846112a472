/**
 * ECR tokens for pulls: the GetAuthorizationToken call on the wire (a real local server), token decoding, the
 * cache (per registry, region, endpoint and identity; early expiry; 12h; LRU of 100; shared in-flight calls) with an
 * injected clock, and the engine's ecrRegistryAuth (execution role, errors, proxyEndpoint check).
 */
import t from 'tap';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EcrApiError, ecrEndpoint, getAuthorizationToken, type AuthorizationData, type GetAuthorizationTokenOptions } from '../../../../src/agent/api/ecr.js';
import { decodeAuthorizationToken, EcrTokenCache } from '../../../../src/agent/api/ecr-auth.js';
import { ecrRegistryAuth } from '../../../../src/agent/engine/registry-auth.js';
import { isBerthError } from '../../../../src/shared/errors.js';
import { clockAt } from '../../../kit/manual-clock.js';
import { loadConfig } from '../../../../src/agent/config/config.js';

const HOUR = 3_600_000;
const token = (user: string, password: string): string => Buffer.from(`${user}:${password}`).toString('base64');
const INSTANCE = { accessKeyId: 'AKIDINSTANCE', secretAccessKey: 'instance-secret' };
const signal = new AbortController().signal;

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

t.test('GetAuthorizationToken is one signed JSON 1.1 call; errors name the service error, never the token', async (t) => {
  const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
  let answer: { status: number; body: string } = { status: 200, body: JSON.stringify({ authorizationData: [{ authorizationToken: token('AWS', 'pw1'), expiresAt: 1_700_000_000.5, proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com' }] }) };
  const server = createServer((req, res) => {
    void body(req).then((b) => {
      seen.push({ headers: req.headers, body: b });
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' }).end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = (over: Partial<GetAuthorizationTokenOptions> = {}) =>
    getAuthorizationToken({ endpoint, region: 'eu-west-1', credentials: { ...INSTANCE, sessionToken: 'sess' }, registryId: '123456789012', signal, tries: 1, ...over });

  const data = await call();
  t.same(data, { authorizationToken: token('AWS', 'pw1'), expiresAt: 1_700_000_000_500, proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com' }, 'expiresAt in epoch ms');
  const req = seen[0]!;
  t.equal(req.headers['x-amz-target'], 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken');
  t.equal(req.headers['content-type'], 'application/x-amz-json-1.1');
  t.same(JSON.parse(req.body), { registryIds: ['123456789012'] });
  t.match(String(req.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDINSTANCE\/\d{8}\/eu-west-1\/ecr\/aws4_request, SignedHeaders=\S*x-amz-target\S*, Signature=[0-9a-f]{64}$/);
  t.equal(req.headers['x-amz-security-token'], 'sess');

  await call({ registryId: '' });
  t.same(JSON.parse(seen[1]!.body), {}, 'no registryId: the caller\'s default registry');

  answer = { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.ecr#InvalidParameterException', message: 'bad registry' }) };
  const err = await call().catch((e: unknown) => e);
  t.ok(err instanceof EcrApiError && err.type === 'InvalidParameterException' && !err.retriable, String(err));
  t.equal((err as Error).message, 'InvalidParameterException: bad registry');

  answer = { status: 200, body: JSON.stringify({ authorizationData: [] }) };
  t.match(await call().catch((e: unknown) => (e as Error).message), /^MalformedResponse: /);

  let fails = 2;
  answer = { status: 503, body: JSON.stringify({ __type: 'ServerException', message: 'busy' }) };
  server.removeAllListeners('request');
  server.on('request', (_req, res) => {
    const ok = fails-- <= 0;
    res.writeHead(ok ? 200 : 503).end(ok ? JSON.stringify({ authorizationData: [{ authorizationToken: token('AWS', 'pw2'), expiresAt: 1, proxyEndpoint: 'https://x' }] }) : answer.body);
  });
  t.equal((await call({ tries: 3 })).authorizationToken, token('AWS', 'pw2'), '5xx is retried');

  t.equal(ecrEndpoint(undefined, 'ap-south-1'), 'https://api.ecr.ap-south-1.amazonaws.com');
  const cfg = (env: Record<string, string>) => loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ...env }, { configFile: '/nonexistent/x' }).ecrEndpoint;
  t.equal(cfg({}), undefined);
  t.equal(cfg({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566/' }), 'http://127.0.0.1:4566');
  t.equal(cfg({ AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_ECR: 'http://b:2' }), 'http://b:2', 'the service-specific one wins');
});

t.test('a token decodes to the user, the password and the proxy endpoint as server address', async (t) => {
  t.same(decodeAuthorizationToken({ authorizationToken: token('AWS', 'p:a:ss'), proxyEndpoint: 'https://r.example' }), { username: 'AWS', password: 'p:a:ss', serveraddress: 'https://r.example' });
  for (const bad of ['', Buffer.from('no-colon').toString('base64'), Buffer.from(':pw').toString('base64'), Buffer.from('user:').toString('base64')]) {
    t.throws(() => decodeAuthorizationToken({ authorizationToken: bad, proxyEndpoint: 'https://r' }), new EcrApiError('MalformedToken', 'the authorization token is not base64 "<user>:<password>"', false), JSON.stringify(bad));
  }
});

/** A cache over a fake ECR: counts calls per request and hands out numbered passwords. */
function rig(opts: { expiresInMs?: number; margin?: number; maxEntries?: number } = {}) {
  let now = 1_000_000;
  const requests: GetAuthorizationTokenOptions[] = [];
  let gate: Promise<void> | undefined;
  const cache = new EcrTokenCache({
    instanceCredentials: INSTANCE,
    endpoint: 'http://configured:1',
    clock: clockAt(() => now),
    refreshMarginMs: () => opts.margin ?? 30 * 60_000,
    ...(opts.maxEntries ? { maxEntries: opts.maxEntries } : {}),
    fetchToken: async (o): Promise<AuthorizationData> => {
      requests.push(o);
      await gate;
      return { authorizationToken: token('AWS', `pw${requests.length}`), expiresAt: now + (opts.expiresInMs ?? 12 * HOUR), proxyEndpoint: `https://${o.registryId}.dkr.ecr.${o.region}.amazonaws.com` };
    },
  });
  return { cache, requests, advance: (ms: number) => (now += ms), hold: (p: Promise<void>) => (gate = p) };
}

const req = { registryId: '111111111111', region: 'us-east-1', signal };

t.test('a token is reused until a margin before it expires, then fetched again', async (t) => {
  const { cache, requests, advance } = rig({ expiresInMs: 12 * HOUR, margin: 30 * 60_000 });
  t.equal((await cache.get(req)).password, 'pw1');
  advance(11 * HOUR);
  t.equal((await cache.get(req)).password, 'pw1', 'still valid 11h later');
  t.equal(requests.length, 1);
  advance(31 * 60_000); // 11h31m: inside the 30 minute margin before the 12h expiry
  t.equal((await cache.get(req)).password, 'pw2', 'refreshed early');
  t.equal(requests.length, 2);
  t.equal(requests[0]!.endpoint, 'http://configured:1', 'the configured endpoint without an override');
  t.equal(requests[0]!.credentials, INSTANCE, 'signed with the instance credentials');
});

t.test('a token that expires within the margin is not cached; none is kept longer than 12 hours', async (t) => {
  const short = rig({ expiresInMs: 10 * 60_000, margin: 30 * 60_000 });
  await short.cache.get(req);
  await short.cache.get(req);
  t.equal(short.requests.length, 2, 'a 10-minute token is used once');
  t.equal(short.cache.size, 0);
  const long = rig({ expiresInMs: 48 * HOUR });
  await long.cache.get(req);
  long.advance(12 * HOUR - 1);
  await long.cache.get(req);
  t.equal(long.requests.length, 1);
  long.advance(1);
  await long.cache.get(req);
  t.equal(long.requests.length, 2, 'asked again after 12 hours');
});

t.test('tokens are kept per registry, region, endpoint and identity', async (t) => {
  const { cache, requests } = rig();
  const exec = (roleArn: string, key: string) => ({ roleArn, accessKeyId: key, secretAccessKey: 's', sessionToken: 't' });
  await cache.get(req);
  await cache.get({ ...req, registryId: '222222222222' });
  await cache.get({ ...req, region: 'eu-west-1' });
  await cache.get({ ...req, endpointOverride: 'http://127.0.0.1:9' });
  await cache.get({ ...req, executionCredentials: exec('arn:aws:iam::1:role/a', 'ASIA1') });
  t.equal(requests.length, 5, 'each a call of its own');
  await cache.get({ ...req, executionCredentials: exec('arn:aws:iam::1:role/a', 'ASIA2') });
  t.equal(requests.length, 5, 'rotated keys of the same role share the token');
  await cache.get({ ...req, executionCredentials: exec('arn:aws:iam::1:role/b', 'ASIA3') });
  t.equal(requests.length, 6, 'another role asks again');
  t.equal(requests[3]!.endpoint, 'http://127.0.0.1:9', 'endpointOverride wins over the configured endpoint');
  t.same(requests[4]!.credentials, { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't' }, 'signed with the execution role');
  for (let i = 0; i < 7; i++) await cache.get(req);
  t.equal(requests.length, 6);
});

t.test('concurrent pulls share one call; the least recently used token goes first beyond the limit', async (t) => {
  const { cache, requests, hold } = rig({ maxEntries: 2 });
  let open!: () => void;
  hold(new Promise<void>((r) => (open = r)));
  const both = Promise.all([cache.get(req), cache.get(req)]);
  await new Promise((r) => setImmediate(r));
  open();
  const [a, b] = await both;
  t.equal(requests.length, 1, 'one call for two pulls');
  t.equal(a.password, b.password);
  await cache.get({ ...req, registryId: '2' });
  await cache.get(req); // touch: now the newest
  await cache.get({ ...req, registryId: '3' }); // evicts registry 2
  t.equal(cache.size, 2);
  await cache.get(req);
  t.equal(requests.length, 3, 'the touched one stayed');
  await cache.get({ ...req, registryId: '2' });
  t.equal(requests.length, 4, 'the least recently used one was dropped');
  cache.forget(req);
  await cache.get(req);
  t.equal(requests.length, 5, 'a forgotten token is fetched again');
});

t.test('ecrRegistryAuth: the execution role when asked, errors as CannotPullECRContainerError', async (t) => {
  const image = '111111111111.dkr.ecr.us-east-1.amazonaws.com/app:1';
  const base = { image, auth: { type: 'ecr' as const, registryId: '111111111111', region: 'us-east-1', endpointOverride: '', useExecutionRole: true }, signal, stopped: () => false, credentialsWaitMs: 50 };
  const creds = { roleArn: 'arn:aws:iam::1:role/exec', accessKeyId: 'ASIAEXEC', secretAccessKey: 's', sessionToken: 't', credentialsId: 'c', expiration: '' };

  const { cache, requests } = rig();
  const got = await ecrRegistryAuth({ ...base, hasExecutionRole: true, credentials: () => creds, tokens: cache });
  t.same(got, { username: 'AWS', password: 'pw1', serveraddress: 'https://111111111111.dkr.ecr.us-east-1.amazonaws.com' });
  t.equal((requests[0]!.credentials as { accessKeyId: string }).accessKeyId, 'ASIAEXEC');

  const noRole = await ecrRegistryAuth({ ...base, hasExecutionRole: false, credentials: () => undefined, tokens: cache }).catch((e: unknown) => e);
  t.ok(isBerthError(noRole, 'CannotPullECRContainerError'), 'no execution role');
  t.equal((noRole as Error).message, 'engine ecr credentials: not found', 'the official message');
  // The credentials wait sleeps on unref'd timers; keep the test's event loop alive meanwhile.
  const alive = setInterval(() => undefined, 1000);
  t.teardown(() => clearInterval(alive));
  const notDelivered = await ecrRegistryAuth({ ...base, hasExecutionRole: true, credentials: () => undefined, tokens: cache }).catch((e: unknown) => e);
  t.equal((notDelivered as Error).message, 'engine ecr credentials: not found', 'credentials never delivered');
  t.equal(await ecrRegistryAuth({ ...base, hasExecutionRole: true, credentials: () => undefined, stopped: () => true, tokens: cache }), 'stopped');
  t.equal(requests.length, 1, 'ECR was not asked without credentials');

  const instance = await ecrRegistryAuth({ ...base, auth: { ...base.auth, useExecutionRole: false }, hasExecutionRole: false, credentials: () => undefined, tokens: cache });
  t.equal(instance !== 'stopped' && instance.password, 'pw2');
  t.equal(requests[1]!.credentials, INSTANCE, 'the instance credentials without useExecutionRole');

  const other = await ecrRegistryAuth({ ...base, image: '222222222222.dkr.ecr.us-east-1.amazonaws.com/app:1', hasExecutionRole: true, credentials: () => creds, tokens: cache }).catch((e: unknown) => e);
  t.ok(isBerthError(other, 'CannotPullECRContainerError'));
  t.match((other as Error).message, /proxyEndpoint https:\/\/111111111111\.dkr\.ecr\.us-east-1\.amazonaws\.com is not the registry of 222222222222/, 'a token for another registry is never sent');

  const failing = new EcrTokenCache({ instanceCredentials: INSTANCE, endpoint: undefined, fetchToken: () => Promise.reject(new EcrApiError('AccessDeniedException', 'not authorized to perform ecr:GetAuthorizationToken', false)) });
  const denied = await ecrRegistryAuth({ ...base, hasExecutionRole: true, credentials: () => creds, tokens: failing }).catch((e: unknown) => e);
  t.ok(isBerthError(denied, 'CannotPullECRContainerError'));
  t.equal((denied as Error).message, 'ecr auth: GetAuthorizationToken for registry 111111111111 in us-east-1: AccessDeniedException: not authorized to perform ecr:GetAuthorizationToken');
});
