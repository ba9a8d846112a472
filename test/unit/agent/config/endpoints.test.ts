/**
 * The local endpoint and log file settings (src/agent/config/endpoints.ts), the audit line format and the rotating log file,
 * without an agent: config values, official fallbacks, line shape, rotation with an injected clock.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { parseRpsLimit } from '../../../../src/agent/config/endpoints.js';
import { auditPath, formatAuditLine, openAuditLog } from '../../../../src/agent/logfiles/audit-log.js';
import { clockAt } from '../../../kit/manual-clock.js';
import { RotatingFile } from '../../../../src/agent/logfiles/rotating-file.js';

const load = (env: Record<string, string>) =>
  loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ECS_DATADIR: '/var/lib/berth-cfg', ...env }, { configFile: '/nonexistent/cfg-test.config' });

function tempDir(t: Test): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('the defaults are the official ones, with the audit log kept under the data dir', async (t) => {
  const c = load({});
  t.same(c.taskMetadataRateLimit, { ratePerSecond: 40, burst: 60 });
  t.equal(c.disableTaskMetadataAz, false);
  t.equal(c.auditLogFile, '/var/lib/berth-cfg/log/audit.log');
  t.equal(c.allowOffhostIntrospection, false);
  t.equal(c.skipLocalhostTrafficFilter, false);
  t.equal(c.logFile, undefined, 'no log file unless ECS_LOGFILE is set: stderr only');
  t.same(c.logRotation, { type: 'hourly', maxFileBytes: 10_000_000, maxRollCount: 24 });
});

t.test('ECS_TASK_METADATA_RPS_LIMIT takes "rate,burst" and falls back to 40,60 on anything else, as the official agent does', async (t) => {
  t.same(load({ ECS_TASK_METADATA_RPS_LIMIT: '5,10' }).taskMetadataRateLimit, { ratePerSecond: 5, burst: 10 });
  t.same(load({ ECS_TASK_METADATA_RPS_LIMIT: ' 100 , 150 ' }).taskMetadataRateLimit, { ratePerSecond: 100, burst: 150 }, 'spaces are trimmed');
  for (const bad of ['5', '5,10,15', 'a,b', '0,10', '10,0', '-1,5', '1.5,3', ',']) {
    t.equal(parseRpsLimit(bad), undefined, `"${bad}" is invalid`);
    t.same(load({ ECS_TASK_METADATA_RPS_LIMIT: bad }).taskMetadataRateLimit, { ratePerSecond: 40, burst: 60 }, `"${bad}" -> the default`);
  }
});

t.test('the audit log can be moved or disabled, the log file set, and both must be absolute paths', async (t) => {
  t.equal(load({ ECS_AUDIT_LOGFILE: '/var/log/ecs/audit.log' }).auditLogFile, '/var/log/ecs/audit.log');
  t.equal(load({ ECS_AUDIT_LOGFILE_DISABLED: 'true' }).auditLogFile, undefined);
  t.equal(load({ ECS_AUDIT_LOGFILE_DISABLED: 'nope' }).auditLogFile, '/var/lib/berth-cfg/log/audit.log', 'an unparsable boolean counts as unset');
  t.equal(load({ ECS_LOGFILE: '/var/log/ecs/ecs-agent.log' }).logFile, '/var/log/ecs/ecs-agent.log');
  t.throws(() => load({ ECS_AUDIT_LOGFILE: 'audit.log' }), { code: 'ConfigError', message: /ECS_AUDIT_LOGFILE="audit.log": expected an absolute path/ });
  t.throws(() => load({ ECS_LOGFILE: 'log/agent.log' }), { code: 'ConfigError', message: /ECS_LOGFILE/ });
  t.equal(load({ ECS_DISABLE_TASK_METADATA_AZ: 'true', ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS: 'true', ECS_SKIP_LOCALHOST_TRAFFIC_FILTER: '1' }).disableTaskMetadataAz, true);
  const c = load({ ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS: 'true', ECS_SKIP_LOCALHOST_TRAFFIC_FILTER: '1' });
  t.ok(c.allowOffhostIntrospection && c.skipLocalhostTrafficFilter);
});

t.test('ECS_LOG_* rotation settings: size or hourly, MB of 10^6 bytes, invalid numbers -> defaults', async (t) => {
  t.same(load({ ECS_LOG_ROLLOVER_TYPE: 'size', ECS_LOG_MAX_FILE_SIZE_MB: '0.5', ECS_LOG_MAX_ROLL_COUNT: '3' }).logRotation, { type: 'size', maxFileBytes: 500_000, maxRollCount: 3 });
  t.same(load({ ECS_LOG_ROLLOVER_TYPE: 'weekly', ECS_LOG_MAX_FILE_SIZE_MB: 'big', ECS_LOG_MAX_ROLL_COUNT: '2.5' }).logRotation, { type: 'hourly', maxFileBytes: 10_000_000, maxRollCount: 24 });
});

t.test('an audit line has the official ten fields and never the credentials id', async (t) => {
  const ctx = { cluster: 'cfg-c', containerInstanceArn: 'arn:aws:ecs:us-west-2:1:container-instance/cfg-c/ci' };
  const at = new Date('2030-01-02T03:04:05.678Z');
  const served = formatAuditLine({ request: { remoteAddress: '::ffff:172.17.0.3', remotePort: 41234, url: '/v2/credentials/0d9c-secret-id', userAgent: 'aws-sdk-go/1.44' }, status: 200, taskArn: 'arn:aws:ecs:us-west-2:1:task/cfg-c/t1', eventType: 'GetCredentials' }, ctx, at);
  t.equal(served, '2030-01-02T03:04:05Z 200 172.17.0.3:41234 "/v2/credentials" "aws-sdk-go/1.44" arn:aws:ecs:us-west-2:1:task/cfg-c/t1 GetCredentials 2 cfg-c arn:aws:ecs:us-west-2:1:container-instance/cfg-c/ci');
  const unknown = formatAuditLine({ request: { remoteAddress: '127.0.0.1', remotePort: 5, url: '/v1/credentials?id=0d9c-secret-id', userAgent: undefined }, status: 400, taskArn: undefined, eventType: 'GetCredentials' }, { cluster: 'cfg-c', containerInstanceArn: undefined }, at);
  t.equal(unknown, '2030-01-02T03:04:05Z 400 127.0.0.1:5 "/v1/credentials" "" - GetCredentials 2 cfg-c -');
  t.equal(unknown.split(' ').length, 10);
  const exec = formatAuditLine({ request: { remoteAddress: '::1', remotePort: 7, url: '/v2/credentials/x', userAgent: 'a "quoted"\nagent' }, status: 200, taskArn: 'arn:t', eventType: 'GetCredentialsExecutionRole' }, ctx, at);
  t.match(exec, /^\S+ 200 \[::1\]:7 "\/v2\/credentials" "a \\"quoted\\"\?agent" arn:t GetCredentialsExecutionRole 2 /, 'IPv6 in brackets; a user agent cannot break the line');
  t.equal(auditPath('/v2/credentials'), '/v2/credentials');
  t.equal(auditPath('/v2/credentials/'), '/v2/credentials');
});

t.test('the audit log file is created 0600 at the first line, in a 0700 directory, and appended to', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'log', 'audit.log');
  const audit = openAuditLog({ file, rotation: { type: 'size', maxFileBytes: 1_000_000, maxRollCount: 2 }, context: () => ({ cluster: 'cfg-c', containerInstanceArn: undefined }) });
  t.teardown(() => audit.close());
  t.same(readdirSync(dir), [], 'nothing exists before the first request');
  const entry = { request: { remoteAddress: '127.0.0.1', remotePort: 1, url: '/v2/credentials/abc', userAgent: 'x' }, status: 400, taskArn: undefined, eventType: 'GetCredentials' as const };
  audit.record(entry);
  audit.record({ ...entry, status: 200, taskArn: 'arn:t' });
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  t.equal(lines.length, 2);
  t.match(lines[1], / 200 127\.0\.0\.1:1 "\/v2\/credentials" "x" arn:t GetCredentials 2 cfg-c -$/);
});

t.test('hourly rotation renames the file to <file>.YYYY-MM-DD-HH of its hour and keeps at most maxRollCount', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'agent.log');
  let now = new Date('2030-01-01T10:15:00Z');
  const f = new RotatingFile({ file, rotation: { type: 'hourly', maxFileBytes: 1, maxRollCount: 2 }, clock: clockAt(() => now.getTime()) });
  t.teardown(() => f.close());
  f.write('ten\n');
  f.write('ten again\n');
  for (const hour of [11, 12, 13]) {
    now = new Date(`2030-01-01T${hour}:01:00Z`);
    f.write(`${hour}\n`);
  }
  t.same(readdirSync(dir).sort(), ['agent.log', 'agent.log.2030-01-01-11', 'agent.log.2030-01-01-12'], 'the oldest rotated file (hour 10) is gone');
  t.equal(readFileSync(file, 'utf8'), '13\n');
  t.equal(readFileSync(`${file}.2030-01-01-12`, 'utf8'), '12\n');
  t.equal(statSync(file).mode & 0o777, 0o600, 'the new file is 0600 too');
});

t.test('size rotation starts a new file before one would pass the limit, numbering the old ones', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'audit.log');
  const f = new RotatingFile({ file, rotation: { type: 'size', maxFileBytes: 10, maxRollCount: 2 }, clock: clockAt(() => Date.parse('2030-01-01T00:00:00Z')) });
  t.teardown(() => f.close());
  for (const line of ['aaaaaa\n', 'bbbbbb\n', 'cccccc\n', 'dddddd\n']) f.write(line);
  t.same(readdirSync(dir).sort(), ['audit.log', 'audit.log.2', 'audit.log.3']);
  t.equal(readFileSync(file, 'utf8'), 'dddddd\n');
  t.equal(readFileSync(`${file}.3`, 'utf8'), 'cccccc\n', 'the highest number is the newest');
});
