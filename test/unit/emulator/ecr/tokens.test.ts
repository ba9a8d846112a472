import t from 'tap';
import { EcrTokens } from '../../../../src/emulator/ecr/tokens.js';

t.test('a token is good until its 12 hours are up, only with the key that made it, and only for user AWS', async (t) => {
  const tokens = new EcrTokens(Buffer.alloc(32, 1));
  const { password, expiresAtMs } = tokens.issue(1000);
  t.equal(expiresAtMs, 1000 + 12 * 3_600_000);
  t.equal(tokens.check(password, expiresAtMs - 1), 'ok');
  t.equal(tokens.check(password, expiresAtMs), 'expired');
  t.equal(new EcrTokens(Buffer.alloc(32, 2)).check(password, 2000), 'invalid', 'another key');
  t.equal(tokens.check(`${password}x`, 2000), 'invalid', 'tampered');
  const basic = (user: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  t.equal(tokens.checkHeader(basic('AWS'), 2000), 'ok');
  t.equal(tokens.checkHeader(basic('admin'), 2000), 'invalid');
  t.equal(tokens.checkHeader(undefined, 2000), 'invalid');
  t.equal(tokens.checkHeader('Bearer x', 2000), 'invalid');
});
