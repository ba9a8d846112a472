/**
 * The emulator's CloudWatch Logs through the aws CLI, as a user drives it: groups and streams with their
 * errors, listing with prefix, pattern and paging, events in and out, tags, and everything still there after a
 * restart. The rules themselves (limits, tokens, patterns, retention) are table-tested in test/unit/emulator/logs/.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { awsCli, awsCliOk, skipWithoutAwsCli, type Json } from '../../kit/aws-cli.js';
import { startTestEmulator, tempDataDir } from '../../kit/emulator.js';

const ok = (url: string, ...args: string[]) => awsCliOk(url, ['logs', ...args]);

async function fails(url: string, ...args: string[]): Promise<string> {
  const r = await awsCli(url, ['logs', ...args]);
  if (r.ok) throw new Error(`aws logs ${args.join(' ')} succeeded`);
  return r.error;
}

t.test('aws logs: groups, streams, events and tags, kept across a restart', skipWithoutAwsCli(), async (t) => {
  const dataDir = tempDataDir(t);
  const first = await startTestEmulator(t, { dataDir });
  const url = first.emu.url;

  for (const name of ['/ecs/web', '/ecs/worker', '/batch/nightly']) await ok(url, 'create-log-group', '--log-group-name', name);
  t.match(await fails(url, 'create-log-group', '--log-group-name', '/ecs/web'), /\(ResourceAlreadyExistsException\).*The specified log group already exists/);
  t.match(await fails(url, 'create-log-group', '--log-group-name', 'has space'), /\(InvalidParameterException\).*Value 'has space' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern/);

  const prefixed = await ok(url, 'describe-log-groups', '--log-group-name-prefix', '/ecs/');
  t.same((prefixed['logGroups'] as Json[]).map((g) => g['logGroupName']), ['/ecs/web', '/ecs/worker']);
  t.match((prefixed['logGroups'] as Json[])[0], { arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web:*', logGroupArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web', logGroupClass: 'STANDARD', storedBytes: 0, metricFilterCount: 0 });
  t.same(((await ok(url, 'describe-log-groups', '--log-group-name-pattern', 'NIGHT'))['logGroups'] as Json[]).map((g) => g['logGroupName']), ['/batch/nightly'], 'a pattern is a case-insensitive substring');
  const firstPage = await ok(url, 'describe-log-groups', '--limit', '2', '--no-paginate');
  t.equal((firstPage['logGroups'] as Json[]).length, 2);
  t.type(firstPage['nextToken'], 'string');
  const rest = await ok(url, 'describe-log-groups', '--limit', '2', '--no-paginate', '--next-token', firstPage['nextToken'] as string);
  t.same((rest['logGroups'] as Json[]).map((g) => g['logGroupName']), ['/ecs/worker']);
  t.notOk(rest['nextToken']);
  t.match(await fails(url, 'describe-log-groups', '--log-group-name-prefix', '/a', '--log-group-name-pattern', 'b'), /\(InvalidParameterException\).*mutually exclusive/);

  await ok(url, 'create-log-stream', '--log-group-name', '/ecs/web', '--log-stream-name', 'ecs/web/b');
  await ok(url, 'create-log-stream', '--log-group-name', '/ecs/web', '--log-stream-name', 'ecs/web/a');
  t.match(await fails(url, 'create-log-stream', '--log-group-name', '/nope', '--log-stream-name', 's'), /\(ResourceNotFoundException\).*The specified log group does not exist\./);
  t.match(await fails(url, 'create-log-stream', '--log-group-name', '/ecs/web', '--log-stream-name', 'ecs/web/a'), /\(ResourceAlreadyExistsException\)/);

  const now = Date.now();
  const events = path.join(dataDir, 'events.json');
  writeFileSync(events, JSON.stringify([{ timestamp: now, message: 'GET / 200' }, { timestamp: now + 1, message: '{"level":"error","ms":250}' }]));
  const put = await ok(url, 'put-log-events', '--log-group-name', '/ecs/web', '--log-stream-name', 'ecs/web/b', '--log-events', `file://${events}`);
  t.match(put['nextSequenceToken'], /^\d{56}$/);
  t.notOk(put['rejectedLogEventsInfo']);

  const streams = await ok(url, 'describe-log-streams', '--log-group-name', '/ecs/web', '--order-by', 'LastEventTime', '--descending');
  t.same((streams['logStreams'] as Json[]).map((s) => s['logStreamName']), ['ecs/web/b', 'ecs/web/a'], 'the stream with the latest event first');
  t.match((streams['logStreams'] as Json[])[0], { firstEventTimestamp: now, lastEventTimestamp: now + 1, arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web:log-stream:ecs/web/b' });
  t.match(await fails(url, 'describe-log-streams', '--log-group-name', '/ecs/web', '--order-by', 'LastEventTime', '--log-stream-name-prefix', 'e'), /Cannot order by LastEventTime with a logStreamNamePrefix/);

  const got = await ok(url, 'get-log-events', '--log-group-name', '/ecs/web', '--log-stream-name', 'ecs/web/b', '--start-from-head');
  t.same((got['events'] as Json[]).map((e) => e['message']), ['GET / 200', '{"level":"error","ms":250}']);
  t.match(got['nextForwardToken'], /^f\/\d{56}$/);
  const filtered = await ok(url, 'filter-log-events', '--log-group-name', '/ecs/web', '--filter-pattern', '{ $.level = "error" && $.ms > 100 }');
  t.same((filtered['events'] as Json[]).map((e) => [e['logStreamName'], e['message']]), [['ecs/web/b', '{"level":"error","ms":250}']]);

  const arn = 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web';
  await ok(url, 'tag-resource', '--resource-arn', arn, '--tags', 'team=web,env=dev');
  await ok(url, 'untag-resource', '--resource-arn', arn, '--tag-keys', 'env');
  t.same((await ok(url, 'list-tags-for-resource', '--resource-arn', arn))['tags'], { team: 'web' });
  await ok(url, 'put-retention-policy', '--log-group-name', '/ecs/web', '--retention-in-days', '7');
  await ok(url, 'delete-log-group', '--log-group-name', '/batch/nightly');

  await first.emu.close();
  const second = await startTestEmulator(t, { dataDir });
  const after = await ok(second.emu.url, 'describe-log-groups');
  t.same((after['logGroups'] as Json[]).map((g) => [g['logGroupName'], g['retentionInDays'] ?? null]), [['/ecs/web', 7], ['/ecs/worker', null]], 'groups and retention survive a restart');
  t.same(((await ok(second.emu.url, 'get-log-events', '--log-group-name', '/ecs/web', '--log-stream-name', 'ecs/web/b', '--start-from-head'))['events'] as Json[]).length, 2, 'and the events');
  t.same((await ok(second.emu.url, 'list-tags-log-group', '--log-group-name', '/ecs/web'))['tags'], { team: 'web' }, 'and the tags');
  t.match(await fails(second.emu.url, 'delete-log-stream', '--log-group-name', '/ecs/web', '--log-stream-name', 'gone'), /\(ResourceNotFoundException\).*The specified log stream does not exist\./);
});
