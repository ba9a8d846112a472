/**
 * `berth emulator` / `berth up` emulated-ECR flags and their BERTH_ECR_* twins: parsed into the emulator's `ecr`
 * option, bad values are one usage error that never repeats the password.
 */
import t from 'tap';
import { ecrFromFlags } from '../../../src/cli/ecr.js';
import { UsageError } from '../../../src/cli/io.js';

t.test('the registry and its login come from the flags, else the environment', async (t) => {
  t.equal(ecrFromFlags('up', {}, {}), undefined, 'off by default');
  t.same(ecrFromFlags('up', { 'ecr-registry': '127.0.0.1:5000', 'ecr-credentials': 'AWS:p:w' }, {}), { registry: '127.0.0.1:5000', username: 'AWS', password: 'p:w' });
  t.same(ecrFromFlags('emulator', {}, { BERTH_ECR_REGISTRY: 'registry.internal', BERTH_ECR_CREDENTIALS: 'u:pw', BERTH_ECR_ENDPOINT: 'http://10.0.0.5:8800' }),
    { registry: 'registry.internal', username: 'u', password: 'pw', endpoint: 'http://10.0.0.5:8800' });
  t.same(ecrFromFlags('up', { 'ecr-registry': 'localhost:5001' }, { BERTH_ECR_REGISTRY: 'ignored:1', BERTH_ECR_CREDENTIALS: 'u:pw' }), { registry: 'localhost:5001', username: 'u', password: 'pw' }, 'a flag wins over its variable');
});

t.test('bad values are usage errors that do not echo the credentials', async (t) => {
  const bad = (flags: Record<string, string>, message: RegExp) => {
    let err: unknown;
    try {
      ecrFromFlags('up', flags, {});
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof UsageError, JSON.stringify(flags));
    t.match((err as Error).message, message);
    t.notOk((err as Error).message.includes('s3cret'), 'no password in the message');
  };
  bad({ 'ecr-registry': '127.0.0.1:5000' }, /needs --ecr-credentials USER:PASSWORD/);
  bad({ 'ecr-registry': '127.0.0.1:5000', 'ecr-credentials': 's3cret' }, /needs --ecr-credentials USER:PASSWORD/);
  bad({ 'ecr-registry': '127.0.0.1:5000', 'ecr-credentials': 'user:' }, /needs --ecr-credentials/);
  bad({ 'ecr-registry': 'http://127.0.0.1:5000', 'ecr-credentials': 'u:s3cret' }, /--ecr-registry 'http:\/\/127\.0\.0\.1:5000': expected a registry host/);
  bad({ 'ecr-registry': 'repo/app', 'ecr-credentials': 'u:s3cret' }, /expected a registry host/);
  bad({ 'ecr-registry': '127.0.0.1:99999', 'ecr-credentials': 'u:s3cret' }, /expected a registry host/);
  bad({ 'ecr-registry': '127.0.0.1:5000', 'ecr-credentials': 'u:s3cret', 'ecr-endpoint': 'ftp://x' }, /--ecr-endpoint 'ftp:\/\/x': expected an http\(s\) URL/);
  bad({ 'ecr-credentials': 'u:s3cret' }, /need --ecr-registry/);
});
