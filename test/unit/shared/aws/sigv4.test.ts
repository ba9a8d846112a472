import t from 'tap';
import { signRequest } from '../../../../src/shared/aws/sigv4.js';

const url = new URL('ws://127.0.0.1:8800/acs/ws?clusterArn=default&containerInstanceArn=arn%3Aaws%3Aecs&seqNum=1');
const now = new Date('2026-11-22T01:26:11Z');

t.test('the websocket upgrade is signed for service ecs with host and x-amz-date', async (t) => {
  const headers = await signRequest({ url, region: 'us-west-2', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }, now });
  t.match(headers['authorization'], /^AWS4-HMAC-SHA256 Credential=AKID\/20261122\/us-west-2\/ecs\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/);
  t.equal(headers['x-amz-date'], '20261122T012611Z');
  t.equal(headers['x-amz-security-token'], undefined);
});

t.test('a session token is sent and signed', async (t) => {
  const headers = await signRequest({
    url,
    region: 'us-west-2',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'tok' },
    now,
  });
  t.equal(headers['x-amz-security-token'], 'tok');
  t.match(headers['authorization'], /SignedHeaders=host;x-amz-date;x-amz-security-token/);
});

t.test('signatures depend on the query and the body, and are deterministic', async (t) => {
  const creds = { accessKeyId: 'AKID', secretAccessKey: 'secret' };
  const a = await signRequest({ url, region: 'us-west-2', credentials: creds, now });
  const b = await signRequest({ url, region: 'us-west-2', credentials: creds, now });
  const other = new URL(url);
  other.searchParams.set('seqNum', '2');
  const c = await signRequest({ url: other, region: 'us-west-2', credentials: creds, now });
  const d = await signRequest({ url, region: 'us-west-2', credentials: creds, now, body: '{"x":1}' });
  t.equal(a['authorization'], b['authorization']);
  t.not(a['authorization'], c['authorization']);
  t.not(a['authorization'], d['authorization']);
});
