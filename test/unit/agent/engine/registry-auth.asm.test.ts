/**
 * Per-container registry credentials from Secrets Manager (engine/registry-auth.ts asmRegistryAuth and
 * api/secrets-manager.ts) against the real emulator on port 0: secret shapes, the wait for execution role
 * credentials ACS has not delivered yet, retries of a failing endpoint, and the endpoint configuration.
 */
import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { asmRegistryAuth, type AsmAuthInput } from '../../../../src/agent/engine/registry-auth.js';
import { getSecretValue, secretsManagerEndpoint } from '../../../../src/agent/api/secrets-manager.js';
import type { IAMRoleCredentials } from '../../../../src/shared/protocol/acs.js';
import { startTestEmulator } from '../../../kit/emulator.js';

const CREDS: IAMRoleCredentials = { credentialsId: 'c1', accessKeyId: 'ASIAEXAMPLEEXAMPLE00', secretAccessKey: 'secret', sessionToken: 'token' };

async function createSecret(url: string, name: string, value: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'X-Amz-Target': 'secretsmanager.CreateSecret' }, body: JSON.stringify({ Name: name, SecretString: value }) });
  if (res.status !== 200) throw new Error(await res.text());
}

function input(endpoint: string, over: Partial<AsmAuthInput> = {}): AsmAuthInput {
  return {
    image: '127.0.0.1:5999/team/app:1',
    auth: { type: 'asm', credentialsParameter: 'creds', region: 'us-east-1' },
    hasExecutionRole: true,
    credentials: () => CREDS,
    endpoint,
    signal: new AbortController().signal,
    stopped: () => false,
    ...over,
  };
}

t.test('a secret {username, password} becomes the pull auth for the image registry', async (t) => {
  const { emu } = await startTestEmulator(t);
  await createSecret(emu.url, 'creds', JSON.stringify({ username: 'u', password: 'p', extra: 1 }));
  t.same(await asmRegistryAuth(input(emu.url)), { username: 'u', password: 'p', serveraddress: '127.0.0.1:5999' });
});

t.test('secrets that are not JSON credentials fail with CannotPullContainerAuthError and never echo the value', async (t) => {
  const { emu } = await startTestEmulator(t);
  await createSecret(emu.url, 'not-json', 'hunter2-plain');
  await createSecret(emu.url, 'no-password', JSON.stringify({ username: 'u', token: 'hunter2-json' }));
  const ask = (name: string): Promise<Error> =>
    asmRegistryAuth(input(emu.url, { auth: { type: 'asm', credentialsParameter: name, region: 'us-east-1' } })).then(
      () => new Error('unexpectedly succeeded'),
      (e: unknown) => e as Error,
    );
  const notJson = await ask('not-json');
  t.match(notJson, { code: 'CannotPullContainerAuthError', message: 'secret not-json is not JSON with a username and a password' });
  const partial = await ask('no-password');
  t.match(partial, { code: 'CannotPullContainerAuthError', message: /must be JSON with a non-empty username and password/ });
  t.notMatch(partial.message + notJson.message, /hunter2/, 'the value is never in the error');
});

t.test('execution role credentials that arrive late are waited for; ones that never come fail in time', async (t) => {
  const { emu } = await startTestEmulator(t);
  await createSecret(emu.url, 'creds', JSON.stringify({ username: 'u', password: 'p' }));
  let calls = 0;
  const late = await asmRegistryAuth(input(emu.url, { credentials: () => (++calls < 3 ? undefined : CREDS) }));
  t.match(late, { username: 'u' }, 'used once ACS delivered them (as after an agent restart)');
  const started = Date.now();
  await t.rejects(asmRegistryAuth(input(emu.url, { credentials: () => undefined, credentialsWaitMs: 300 })), {
    code: 'CannotPullContainerAuthError',
    message: /execution role credentials were not delivered in time/,
  });
  t.ok(Date.now() - started >= 300, 'waited the allowed time');
  t.equal(await asmRegistryAuth(input(emu.url, { credentials: () => undefined, stopped: () => true })), 'stopped', 'a stopped task stops waiting');
  await t.rejects(asmRegistryAuth(input(emu.url, { hasExecutionRole: false })), { code: 'CannotPullContainerAuthError', message: /no execution role/ });
});

t.test('throttling and server errors are retried; a client error is not', async (t) => {
  let hits = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits++;
      if (hits === 1) return void res.writeHead(500).end(JSON.stringify({ __type: 'InternalServiceError', message: 'boom' }));
      if (hits === 2) return void res.writeHead(400).end(JSON.stringify({ __type: 'com.amazonaws.secretsmanager#ThrottlingException', message: 'slow down' }));
      res.writeHead(200).end(JSON.stringify({ SecretString: 'v' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const opts = { endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 's' }, secretId: 'x', signal: new AbortController().signal };
  t.equal(await getSecretValue(opts), 'v', 'third attempt succeeds');
  t.equal(hits, 3, 'a 500 and a throttling answer were retried');
  hits = 1; // the next answer is the throttling one; with a single try it is final
  await t.rejects(getSecretValue({ ...opts, tries: 1 }), { type: 'ThrottlingException', message: 'ThrottlingException: slow down' });
});

t.test('the Secrets Manager endpoint: the region default, AWS_ENDPOINT_URL, and the service-specific override', async (t) => {
  t.equal(secretsManagerEndpoint(undefined, 'eu-west-1'), 'https://secretsmanager.eu-west-1.amazonaws.com');
  const cfg = (env: Record<string, string>) => loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ...env }, { configFile: '/nonexistent/x' });
  t.equal(cfg({}).secretsManagerEndpoint, undefined);
  t.equal(cfg({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566/' }).secretsManagerEndpoint, 'http://127.0.0.1:4566');
  t.equal(cfg({ AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://b:2' }).secretsManagerEndpoint, 'http://b:2', 'the service-specific one wins');
  t.throws(() => cfg({ AWS_ENDPOINT_URL_SECRETS_MANAGER: 'ftp://x' }), { code: 'ConfigError', message: /AWS_ENDPOINT_URL_SECRETS_MANAGER/ });
});
