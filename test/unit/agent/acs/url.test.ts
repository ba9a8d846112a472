import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildAcsUrl, goQueryEscape } from '../../../../src/agent/acs/url.js';
import { haveTranscripts, TRANSCRIPTS_DIR } from '../../../kit/models.js';

const input = {
  endpoint: 'http://127.0.0.1:18081/',
  cluster: 'fakecp-cluster',
  containerInstanceArn: 'arn:aws:ecs:us-west-2:123456789012:container-instance/fakecp-cluster/376cac068dec6de99e26b38a8ef6551c',
  agentVersion: '1.72.0',
  agentHash: 'ac93073e',
  dockerVersion: '20.10.24+dfsg1',
  sendCredentials: true,
};

t.test('the ACS URL is encoded like Go url.Values.Encode', async (t) => {
  t.equal(goQueryEscape('DockerVersion: 1+2~*'), 'DockerVersion%3A+1%2B2~%2A');
  t.equal(buildAcsUrl({ ...input, endpoint: 'https://ecs-a-1.us-west-2.amazonaws.com', sendCredentials: false }).split('?')[0], 'wss://ecs-a-1.us-west-2.amazonaws.com/ws');
  t.notMatch(buildAcsUrl({ ...input, dockerVersion: undefined }), /dockerVersion/);
  t.throws(() => buildAcsUrl({ ...input, endpoint: 'ftp://x/' }));
});

t.test('the ACS URL equals the official handshake for the same values', { skip: !haveTranscripts && 'no transcripts' }, async (t) => {
  const text = readFileSync(path.join(TRANSCRIPTS_DIR, 'acs-handshake-01.txt'), 'utf8');
  const requestPath = /^GET (\S+) HTTP/m.exec(text)![1]!;
  t.equal(buildAcsUrl(input), `ws://127.0.0.1:18081${requestPath}`);
});
