import t from 'tap';
import { logsFixture } from '../../../kit/logs.js';

t.test('a group with retention 1 day drops events older than a day: hidden at once, deleted by the sweep', async (t) => {
  const f = logsFixture(t);
  const stream = { logGroupName: '/r', logStreamName: 's' };
  f.call('CreateLogGroup', { logGroupName: '/r' });
  f.call('CreateLogStream', stream);
  f.call('PutRetentionPolicy', { logGroupName: '/r', retentionInDays: 1 });
  const start = f.clock.now();
  f.call('PutLogEvents', { ...stream, logEvents: [{ timestamp: start, message: 'old' }] });
  f.clock.advance(12 * 3600_000);
  f.call('PutLogEvents', { ...stream, logEvents: [{ timestamp: f.clock.now(), message: 'new' }] });
  const messages = () => (f.call('GetLogEvents', { ...stream, startFromHead: true })['events'] as { message: string }[]).map((e) => e.message);
  const storedBytes = () => ((f.call('DescribeLogGroups', { logGroupNamePrefix: '/r' })['logGroups'] as { storedBytes: number }[])[0]!.storedBytes);
  t.same(messages(), ['old', 'new']);

  f.clock.advance(13 * 3600_000); // 'old' is now 25 hours old
  t.same(messages(), ['new'], 'an expired event is never read again');
  t.equal(storedBytes(), 6, 'still stored until the sweep');
  t.equal(f.sweep.sweep(), 1, 'the sweep deletes it');
  t.equal(storedBytes(), 3);
  t.same(f.call('FilterLogEvents', { logGroupName: '/r' })['events'] && (f.call('FilterLogEvents', { logGroupName: '/r' })['events'] as { message: string }[]).map((e) => e.message), ['new']);

  t.match(f.failure('PutRetentionPolicy', { logGroupName: '/r', retentionInDays: 2 }), { code: 'InvalidParameterException', message: /Member must satisfy enum value set: \[1, 3, 5, 7, 14, 30/ });
  f.call('DeleteRetentionPolicy', { logGroupName: '/r' });
  f.clock.advance(10 * 86_400_000);
  t.same(messages(), ['new'], 'without a policy events are kept');
  t.equal(f.sweep.sweep(), 0);
});
