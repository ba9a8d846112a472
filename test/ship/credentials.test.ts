import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chainProviders, rotatingSharedCredentials } from '../../src/agent/credentials/instance-chain.js';
import { clockAt } from '../kit/manual-clock.js';
import { credentialsFromIni } from '../../src/agent/credentials/shared-file.js';

function ini(profile: string, key: string, secret = `${key}-secret`): string {
  return `[${profile}]\naws_access_key_id = ${key}\naws_secret_access_key=${secret}\n`;
}

t.test('the shared credentials file is parsed per profile, comments and session tokens included', async (t) => {
  const text = `# managed by SSM\n[default]\naws_access_key_id=AKID1\naws_secret_access_key = s1\naws_session_token = tok\n\n; other\n[profile ops]\naws_access_key_id=AKID2\naws_secret_access_key=s2\n[broken]\naws_access_key_id=AKID3\n`;
  t.same(credentialsFromIni(text, 'default'), { accessKeyId: 'AKID1', secretAccessKey: 's1', sessionToken: 'tok' });
  t.same(credentialsFromIni(text, 'ops'), { accessKeyId: 'AKID2', secretAccessKey: 's2' });
  t.equal(credentialsFromIni(text, 'broken'), undefined, 'a profile without a secret is no credentials');
  t.equal(credentialsFromIni(text, 'missing'), undefined);
});

t.test('the rotating provider re-reads the file once per refresh interval and keeps the last keys while it is unreadable', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-ship-creds-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'credentials');
  writeFileSync(file, ini('default', 'AKIDONE'));
  let now = 1_000_000;
  const provider = rotatingSharedCredentials({ files: [path.join(dir, 'absent'), file], profile: 'default', refreshMs: 60_000, clock: clockAt(() => now) });

  const first = await provider();
  t.equal(first.accessKeyId, 'AKIDONE', 'the first readable candidate is used');
  t.equal(first.expiration?.getTime(), now + 60_000, 'the identity expires at the next refresh, so the SDK asks again');

  writeFileSync(file, ini('default', 'AKIDTWO'));
  now += 59_999;
  t.equal((await provider()).accessKeyId, 'AKIDONE', 'not re-read before the interval');
  now += 1;
  t.equal((await provider()).accessKeyId, 'AKIDTWO', 're-read once the interval has passed');

  writeFileSync(file, '[default]\naws_access_key_id=AKIDTHR'); // half written
  now += 60_000;
  t.equal((await provider()).accessKeyId, 'AKIDTWO', 'a half-written file keeps the last good keys');
});

t.test('ECS_ALTERNATE_CREDENTIAL_PROFILE selects the profile, and a missing file hands over to the next provider', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-ship-creds-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'credentials');
  writeFileSync(file, ini('default', 'AKIDDEF') + ini('ecs', 'AKIDECS'));
  const ecsProfile = rotatingSharedCredentials({ files: [file], profile: 'ecs', refreshMs: 1000 });
  t.equal((await ecsProfile()).accessKeyId, 'AKIDECS');

  const fallback = async () => ({ accessKeyId: 'AKIDCHAIN', secretAccessKey: 'x' });
  const chain = chainProviders(rotatingSharedCredentials({ files: [path.join(dir, 'none')], profile: 'default', refreshMs: 1000 }), fallback);
  t.equal((await chain()).accessKeyId, 'AKIDCHAIN');
  const failing = chainProviders(async () => {
    throw new Error('boom');
  }, fallback);
  await t.rejects(failing(), /boom/, 'a real failure is not swallowed by the chain');
});
