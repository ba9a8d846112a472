import t from 'tap';
import { PortAllocator } from '../../../../src/agent/network/port-allocator.js';
import { isDynamic, parseContainerPortRange, portCount, portPairs } from '../../../../src/agent/model/port-mapping.js';
import { parseTaskSpec } from '../../../../src/agent/engine/parse-task.js';
import { buildCreateRequest } from '../../../../src/agent/engine/create-request.js';
import { newTaskRecord } from '../../../../src/agent/engine/parse-task.js';

t.test('contiguous host port windows skip reserved, handed-out and busy ports', async (t) => {
  const busy = new Set([40004]);
  const alloc = new PortAllocator({ range: [40000, 40009], reservedTcp: [40001], reservedUdp: [], probe: async (p) => !busy.has(p) });
  t.equal(await alloc.allocateRange(3, 'tcp'), 40005, '40000-40002 holds a reserved port, 40002-40004 a busy one');
  t.equal(await alloc.allocateRange(2, 'tcp'), 40008, 'the next window starts after the last one handed out');
  await t.rejects(alloc.allocateRange(3, 'tcp'), /no 3 contiguous free tcp host ports/);
  for (const p of [40005, 40006, 40007]) alloc.release(p, 'tcp');
  t.equal(await alloc.allocateRange(3, 'tcp'), 40005, 'released ports can be handed out again (wrapping around)');
  t.equal(await alloc.allocateRange(3, 'udp'), 40000, 'udp keeps its own books');
  await t.rejects(alloc.allocateRange(11, 'tcp'), /cannot allocate 11/);
});

t.test('container port ranges parse, count and expand', async (t) => {
  t.same(parseContainerPortRange('8000-8002'), [8000, 8002]);
  t.equal(parseContainerPortRange('8002-8000'), undefined);
  t.equal(parseContainerPortRange('0-10'), undefined);
  t.equal(parseContainerPortRange('80'), undefined);
  const p = { containerPort: 0, hostPort: 0, protocol: 'tcp' as const, containerPortRange: [8000, 8002] as [number, number] };
  t.equal(portCount(p), 3);
  t.ok(isDynamic(p));
  t.same(portPairs(p, 50000), [{ containerPort: 8000, hostPort: 50000 }, { containerPort: 8001, hostPort: 50001 }, { containerPort: 8002, hostPort: 50002 }]);
  t.notOk(isDynamic({ containerPort: 80, hostPort: 8080, protocol: 'tcp' }));
});

t.test('a task with a containerPortRange becomes one exposed port and binding per port', async (t) => {
  const spec = parseTaskSpec({
    arn: 'arn:aws:ecs:us-east-1:0:task/c/abc',
    family: 'f',
    version: '1',
    containers: [{ name: 'web', image: 'busybox', portMappings: [{ containerPortRange: '9100-9101', protocol: 'udp' }] }],
  });
  t.same(spec.containers[0]?.portMappings[0]?.containerPortRange, [9100, 9101]);
  const rec = newTaskRecord(spec, 'RUNNING');
  const state = { ...rec.state.containers[0]!, dockerName: 'n', hostPorts: [51000] };
  const req = buildCreateRequest({ task: spec, spec: spec.containers[0]!, state, cluster: 'c' });
  t.same(Object.keys(req.body['ExposedPorts'] as object), ['9100/udp', '9101/udp']);
  t.same((req.body['HostConfig'] as { PortBindings: unknown }).PortBindings, {
    '9100/udp': [{ HostIp: '', HostPort: '51000' }],
    '9101/udp': [{ HostIp: '', HostPort: '51001' }],
  });
  t.throws(() => parseTaskSpec({ arn: 'a', family: 'f', version: '1', containers: [{ name: 'w', image: 'i', portMappings: [{ containerPort: 80, containerPortRange: '1-2' }] }] }), /exclusive/);
  t.throws(() => parseTaskSpec({ arn: 'a', family: 'f', version: '1', containers: [{ name: 'w', image: 'i', portMappings: [{ containerPortRange: 'x' }] }] }), /not a range/);
});
