import t from 'tap';
import { logsFixture } from '../../../kit/logs.js';

const GROUP = { logGroupName: '/ecs/app' };
const STREAM = { ...GROUP, logStreamName: 'ecs/app/1' };

function setUp(t: Parameters<typeof logsFixture>[0]) {
  const f = logsFixture(t);
  f.call('CreateLogGroup', GROUP);
  f.call('CreateLogStream', STREAM);
  return f;
}

t.test('PutLogEvents enforces CloudWatch batch rules and stores nothing from a refused batch', async (t) => {
  const f = setUp(t);
  const now = f.clock.now();
  const rows: [string, Record<string, unknown>[], RegExp][] = [
    ['out of order', [{ timestamp: now, message: 'b' }, { timestamp: now - 1, message: 'a' }], /must be in chronological order/],
    ['over 24 hours', [{ timestamp: now - 25 * 3600_000, message: 'a' }, { timestamp: now, message: 'b' }], /cannot span more than 24 hours/],
    // 1,048,576 bytes counts each message plus 26: two events of 524,263 bytes are one byte over.
    ['over 1 MiB', [{ timestamp: now, message: 'x'.repeat(524_263) }, { timestamp: now, message: 'y'.repeat(524_263) }], /Upload too large: 1048578 bytes exceeds limit of 1048576/],
    ['an empty message', [{ timestamp: now, message: '' }], /logEvents\.1\.member\.message|message/],
  ];
  for (const [what, logEvents, message] of rows) {
    const err = f.failure('PutLogEvents', { ...STREAM, logEvents });
    t.equal(err.code, 'InvalidParameterException', what);
    t.match(err.message, message, what);
  }
  t.same(f.call('GetLogEvents', { ...STREAM, startFromHead: true })['events'], [], 'no event of a refused batch was stored');
  // Exactly at the limit is fine.
  f.call('PutLogEvents', { ...STREAM, logEvents: [{ timestamp: now, message: 'x'.repeat(524_262) }, { timestamp: now, message: 'y'.repeat(524_262) }] });
  t.equal((f.call('GetLogEvents', { ...STREAM, startFromHead: true })['events'] as unknown[]).length, 2);
});

t.test('too old, too new and expired events are rejected by index and the rest stored', async (t) => {
  const f = setUp(t);
  f.call('PutRetentionPolicy', { ...GROUP, retentionInDays: 1 });
  const now = f.clock.now();
  const day = 86_400_000;
  // A batch spans at most a day, so each kind of rejection gets its own batch.
  const expired = f.call('PutLogEvents', { ...STREAM, logEvents: [{ timestamp: now - day - 2, message: 'expired' }, { timestamp: now - day - 1, message: 'expired too' }, { timestamp: now - 2, message: 'kept 1' }] });
  t.same(expired['rejectedLogEventsInfo'], { expiredLogEventEndIndex: 1 });
  const tooNew = f.call('PutLogEvents', { ...STREAM, logEvents: [{ timestamp: now, message: 'kept 2' }, { timestamp: now + 3 * 3600_000, message: 'too new' }] });
  t.same(tooNew['rejectedLogEventsInfo'], { tooNewLogEventStartIndex: 1 });
  f.call('DeleteRetentionPolicy', GROUP);
  const tooOld = f.call('PutLogEvents', { ...STREAM, logEvents: [{ timestamp: now - 15 * day, message: 'too old' }, { timestamp: now - 15 * day + 1000, message: 'too old 2' }] });
  t.same(tooOld['rejectedLogEventsInfo'], { tooOldLogEventEndIndex: 1 });
  t.match(tooOld['nextSequenceToken'], /^\d{56}$/, 'a sequence token is still handed out');
  const got = f.call('GetLogEvents', { ...STREAM, startFromHead: true });
  t.same((got['events'] as { message: string }[]).map((e) => e.message), ['kept 1', 'kept 2']);
});

t.test('GetLogEvents pages forward and backward with tokens that stop where CloudWatch stops', async (t) => {
  const f = setUp(t);
  const now = f.clock.now();
  f.call('PutLogEvents', { ...STREAM, logEvents: Array.from({ length: 25 }, (_, i) => ({ timestamp: now + Math.floor(i / 2), message: `line ${i}` })) });
  const messages = (r: Record<string, unknown>) => (r['events'] as { message: string }[]).map((e) => e.message);

  // From the head, 10 at a time; the last page hands back its own token.
  const seen: string[] = [];
  let page = f.call('GetLogEvents', { ...STREAM, startFromHead: true, limit: 10 });
  for (let i = 0; i < 10; i++) {
    seen.push(...messages(page));
    const next = f.call('GetLogEvents', { ...STREAM, nextToken: page['nextForwardToken'], limit: 10 });
    if (next['nextForwardToken'] === page['nextForwardToken']) break;
    page = next;
  }
  t.same(seen, Array.from({ length: 25 }, (_, i) => `line ${i}`), 'all 25 in order, none twice');

  // Without startFromHead: the newest events first page, then backwards.
  const tail = f.call('GetLogEvents', { ...STREAM, limit: 10 });
  t.same(messages(tail), Array.from({ length: 10 }, (_, i) => `line ${15 + i}`));
  const before = f.call('GetLogEvents', { ...STREAM, nextToken: tail['nextBackwardToken'], limit: 10 });
  t.same(messages(before), Array.from({ length: 10 }, (_, i) => `line ${5 + i}`));
  const first = f.call('GetLogEvents', { ...STREAM, nextToken: before['nextBackwardToken'], limit: 10 });
  t.same(messages(first), ['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
  const end = f.call('GetLogEvents', { ...STREAM, nextToken: first['nextBackwardToken'], limit: 10 });
  t.same(messages(end), []);
  t.equal(end['nextBackwardToken'], first['nextBackwardToken'], 'at the start the backward token repeats');

  // A time range: [startTime, endTime).
  t.same(messages(f.call('GetLogEvents', { ...STREAM, startFromHead: true, startTime: now + 2, endTime: now + 4 })), ['line 4', 'line 5', 'line 6', 'line 7']);
  t.equal(f.failure('GetLogEvents', { ...STREAM, nextToken: 'f/123' }).code, 'InvalidParameterException');
});

t.test('FilterLogEvents interleaves streams, filters and pages', async (t) => {
  const f = setUp(t);
  f.call('CreateLogStream', { ...GROUP, logStreamName: 'ecs/side/1' });
  f.call('CreateLogStream', { ...GROUP, logStreamName: 'other' });
  const now = f.clock.now();
  f.call('PutLogEvents', { ...STREAM, logEvents: [{ timestamp: now, message: 'ERROR a' }, { timestamp: now + 2, message: '{"level":"error","ms":300}' }] });
  f.call('PutLogEvents', { ...GROUP, logStreamName: 'ecs/side/1', logEvents: [{ timestamp: now + 1, message: 'ERROR b' }, { timestamp: now + 3, message: 'INFO c' }] });
  f.call('PutLogEvents', { ...GROUP, logStreamName: 'other', logEvents: [{ timestamp: now + 1, message: 'ERROR elsewhere' }] });
  const messages = (r: Record<string, unknown>) => (r['events'] as { message: string }[]).map((e) => e.message);

  t.same(messages(f.call('FilterLogEvents', { ...GROUP, logStreamNamePrefix: 'ecs/', filterPattern: 'ERROR' })), ['ERROR a', 'ERROR b']);
  t.same(messages(f.call('FilterLogEvents', { ...GROUP, logStreamNames: ['other'] })), ['ERROR elsewhere']);
  t.same(messages(f.call('FilterLogEvents', { ...GROUP, filterPattern: '{ $.ms > 100 }' })), ['{"level":"error","ms":300}']);
  t.same(messages(f.call('FilterLogEvents', { ...GROUP, startTime: now + 1, endTime: now + 3 })), ['ERROR b', 'ERROR elsewhere', '{"level":"error","ms":300}']);

  const all: string[] = [];
  let token: unknown;
  for (let i = 0; i < 10; i++) {
    const page = f.call('FilterLogEvents', { ...GROUP, limit: 2, ...(token ? { nextToken: token } : {}) });
    all.push(...messages(page));
    token = page['nextToken'];
    if (!token) break;
  }
  t.same(all, ['ERROR a', 'ERROR b', 'ERROR elsewhere', '{"level":"error","ms":300}', 'INFO c'], 'pages in time order, then no token');

  t.equal(f.failure('FilterLogEvents', { ...GROUP, logStreamNames: ['other'], logStreamNamePrefix: 'e' }).code, 'InvalidParameterException');
  t.match(f.failure('FilterLogEvents', { ...GROUP, filterPattern: '{ $.level = ' }), { code: 'InvalidParameterException', message: /Invalid filter pattern/ });
  t.match(f.failure('FilterLogEvents', { logGroupName: '/nope' }), { code: 'ResourceNotFoundException', message: 'The specified log group does not exist.' });
  t.match(f.failure('PutLogEvents', { ...GROUP, logStreamName: 'nope', logEvents: [{ timestamp: now, message: 'x' }] }), { code: 'ResourceNotFoundException', message: 'The specified log stream does not exist.' });
});
