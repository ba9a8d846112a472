import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AGENT_MESSAGE_TYPES,
  SERVER_MESSAGE_TYPES,
  encodeFrame,
  parseAgentFrame,
  parseServerFrame,
  type ServerMessages,
} from '../../../../src/shared/protocol/acs.js';
import { haveModels, haveTranscripts, loadModel, TRANSCRIPTS_DIR, validateShape } from '../../../kit/models.js';

t.test('a malformed frame is reported as malformed, not thrown', async (t) => {
  const r = parseServerFrame('{nope');
  t.equal(r.ok, false);
  t.match(r, { kind: 'malformed' });
  t.match(parseServerFrame('[1,2]'), { ok: false, kind: 'malformed' });
  t.match(parseServerFrame('{"message":{}}'), { ok: false, kind: 'malformed' });
  t.match(parseServerFrame('{"type":"PayloadMessage","message":"x"}'), { ok: false, kind: 'malformed' });
});

t.test('an unknown message type is recognised as such', async (t) => {
  t.match(parseServerFrame('{"type":"FancyNewMessage","message":{}}'), { ok: false, kind: 'unknown-type', type: 'FancyNewMessage' });
});

t.test('both error forms of §2.5 are recognised', async (t) => {
  t.match(parseServerFrame('{"type":"InactiveInstanceException","message":{"message":"gone"}}'), {
    ok: false,
    kind: 'error',
    errorType: 'InactiveInstanceException',
    message: 'gone',
  });
  t.match(parseServerFrame('{"InactiveInstanceException":"gone"}'), {
    ok: false,
    kind: 'error',
    errorType: 'InactiveInstanceException',
    message: 'gone',
  });
});

t.test('frames round-trip through encodeFrame and the parsers', async (t) => {
  const frame = encodeFrame<ServerMessages, 'HeartbeatMessage'>('HeartbeatMessage', { messageId: 'm1', healthy: true });
  t.same(parseServerFrame(frame), { ok: true, envelope: { type: 'HeartbeatMessage', message: { messageId: 'm1', healthy: true } } });
  t.match(parseAgentFrame('{"type":"AckRequest","message":{"messageId":"m1"}}'), { ok: true });
});

t.test('every ACS message type berth knows is a shape of the ACS model', { skip: !haveModels && 'no ../shared/models' }, async (t) => {
  const model = loadModel('acs-api-2.json');
  for (const type of [...SERVER_MESSAGE_TYPES, ...AGENT_MESSAGE_TYPES]) {
    t.ok(model.shapes[type], `${type} is in acs-api-2.json`);
  }
});

t.test('every frame of the official agent transcript parses and conforms to the model', { skip: !(haveModels && haveTranscripts) && 'no ../shared' }, async (t) => {
  const model = loadModel('acs-api-2.json');
  const lines = readFileSync(path.join(TRANSCRIPTS_DIR, 'acs-messages.jsonl'), 'utf8').split('\n').filter(Boolean);
  t.ok(lines.length > 0);
  for (const line of lines) {
    const rec = JSON.parse(line) as { dir: string; frame: string; data?: unknown };
    if (rec.frame !== 'text') continue; // close frames carry no message
    const raw = JSON.stringify(rec.data);
    const parsed = rec.dir === 'agent->fake' ? parseAgentFrame(raw) : parseServerFrame(raw);
    if (!parsed.ok) {
      t.fail(`frame did not parse: ${raw.slice(0, 120)}`);
      continue;
    }
    t.same(validateShape(model, parsed.envelope.type, parsed.envelope.message), [], `${rec.dir} ${parsed.envelope.type} conforms`);
  }
});
