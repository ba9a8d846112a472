import t from 'tap';
import { buildTaskStateChange, reportableBindings } from '../../../../src/agent/reporter/state-change.js';
import { newTaskRecord, parseTaskSpec } from '../../../../src/agent/engine/parse-task.js';

function runningTask() {
  const spec = parseTaskSpec({ arn: 'arn:aws:ecs:us-west-2:1:task/c/abc', family: 'web', version: '1', containers: [{ name: 'web', image: 'busybox' }] });
  const rec = newTaskRecord(spec, 'RUNNING');
  const c = rec.state.containers[0]!;
  c.known = 'RUNNING';
  c.dockerId = 'f'.repeat(64);
  c.bindings = [
    { bindIP: '0.0.0.0', containerPort: 8080, hostPort: 32768, protocol: 'tcp' },
    { bindIP: '::', containerPort: 8080, hostPort: 32768, protocol: 'tcp' },
  ];
  rec.state.known = 'RUNNING';
  return rec;
}

t.test('a RUNNING change has the transcript shape and drops IPv6 bindings', async (t) => {
  const change = buildTaskStateChange(runningTask(), { cluster: 'fakecp', excludeIpv6: true });
  t.same(change.input, {
    cluster: 'fakecp',
    task: 'arn:aws:ecs:us-west-2:1:task/c/abc',
    status: 'RUNNING',
    reason: '',
    containers: [{ containerName: 'web', runtimeId: 'f'.repeat(64), status: 'RUNNING', networkBindings: [{ bindIP: '0.0.0.0', containerPort: 8080, hostPort: 32768, protocol: 'tcp' }] }],
  });
  t.same(change.containers, [{ name: 'web', status: 'RUNNING' }]);
  t.equal((buildTaskStateChange(runningTask(), { cluster: 'c', excludeIpv6: false }).input.containers![0]!.networkBindings ?? []).length, 2);
});

t.test('a STOPPED change carries the exit code, reason and executionStoppedAt', async (t) => {
  const rec = runningTask();
  const c = rec.state.containers[0]!;
  c.known = 'STOPPED';
  c.exitCode = 137;
  c.reason = 'OutOfMemoryError: Container killed due to memory usage';
  rec.state.known = 'STOPPED';
  rec.state.executionStoppedAt = 1_795_310_831_633;
  const input = buildTaskStateChange(rec, { cluster: 'c', excludeIpv6: true }).input;
  t.equal(input.status, 'STOPPED');
  t.match(input.containers![0], { status: 'STOPPED', exitCode: 137, reason: /^OutOfMemoryError/ });
  t.same(input.executionStoppedAt, new Date(1_795_310_831_633));
});

t.test('a container port range on contiguous host ports is reported as one binding per address, as ECS shows it', async (t) => {
  const b = (containerPort: number, hostPort: number, bindIP = '0.0.0.0') => ({ bindIP, containerPort, hostPort, protocol: 'tcp' as const });
  const range = { containerPort: 0, hostPort: 0, protocol: 'tcp' as const, containerPortRange: [9100, 9102] as [number, number] };
  const single = { containerPort: 8080, hostPort: 0, protocol: 'tcp' as const };
  t.same(reportableBindings([b(9100, 40001), b(9101, 40002), b(9102, 40003), b(8080, 40100), b(9100, 40001, '::')], true, [range, single]), [
    { bindIP: '0.0.0.0', protocol: 'tcp', containerPortRange: '9100-9102', hostPortRange: '40001-40003' },
    { bindIP: '0.0.0.0', containerPort: 8080, hostPort: 40100, protocol: 'tcp' },
  ]);
  t.equal(reportableBindings([b(9100, 40001), b(9101, 40005), b(9102, 40006)], true, [range]).length, 3, 'host ports that are not contiguous stay port by port');
  t.equal(reportableBindings([b(9100, 40001), b(9101, 40002)], true, [range]).length, 2, 'an incomplete range stays port by port');
  t.equal(reportableBindings([b(9100, 40001), b(9101, 40002), b(9102, 40003), b(9100, 40001, '::'), b(9101, 40002, '::'), b(9102, 40003, '::')], false, [range]).length, 2, 'one range binding per address when IPv6 bindings are kept');
});
