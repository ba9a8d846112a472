import t from 'tap';
import { logSourceFor, parseTaskRef } from '../../../src/cli/task-logs.js';

t.test('each container is read from where it logs, or gets a reason', async (t) => {
  const awslogs = (options: Record<string, string>) => ({ name: 'web', runtimeId: 'abc', logConfiguration: { logDriver: 'awslogs', options } });
  t.same(logSourceFor(awslogs({ 'awslogs-group': '/g', 'awslogs-stream-prefix': 'ecs', 'awslogs-region': 'eu-west-1' }), 'T1'), { container: 'web', kind: 'cloudwatch', group: '/g', stream: 'ecs/web/T1', region: 'eu-west-1' }, 'the prefix expands as ECS expands it');
  t.same(logSourceFor(awslogs({ 'awslogs-group': '/g', 'awslogs-stream': 'fixed' }), 'T1'), { container: 'web', kind: 'cloudwatch', group: '/g', stream: 'fixed', region: undefined });
  t.match(logSourceFor(awslogs({ 'awslogs-group': '/g' }), 'T1'), { kind: 'none', why: /no stream and no prefix/ });
  t.match(logSourceFor(awslogs({}), 'T1'), { kind: 'none', why: /no awslogs-group/ });
  t.same(logSourceFor({ name: 'web', runtimeId: 'abc' }, 'T1'), { container: 'web', kind: 'docker', dockerId: 'abc' }, 'no logConfiguration: Docker default json-file');
  t.same(logSourceFor({ name: 'web', runtimeId: 'abc', logConfiguration: { logDriver: 'local' } }, 'T1'), { container: 'web', kind: 'docker', dockerId: 'abc' });
  t.match(logSourceFor({ name: 'web', logConfiguration: { logDriver: 'json-file' } }, 'T1'), { kind: 'none', why: /no Docker container yet/ });
  t.match(logSourceFor({ name: 'web', runtimeId: 'abc', logConfiguration: { logDriver: 'none' } }, 'T1'), { kind: 'none', why: /logs nowhere/ });
  t.match(logSourceFor({ name: 'web', runtimeId: 'abc', logConfiguration: { logDriver: 'splunk' } }, 'T1'), { kind: 'none', why: /logs to splunk/ });
});

t.test('a task ARN names its cluster; a bare id takes the given one', async (t) => {
  t.same(parseTaskRef('arn:aws:ecs:us-east-1:000000000000:task/prod/abc123', 'default'), { cluster: 'prod', taskId: 'abc123', task: 'arn:aws:ecs:us-east-1:000000000000:task/prod/abc123' });
  t.same(parseTaskRef('arn:aws:ecs:us-east-1:000000000000:task/abc123', 'mine'), { cluster: 'mine', taskId: 'abc123', task: 'arn:aws:ecs:us-east-1:000000000000:task/abc123' }, 'an old-format ARN');
  t.same(parseTaskRef('abc123', 'mine'), { cluster: 'mine', taskId: 'abc123', task: 'abc123' });
});
