import t from 'tap';
import net from 'node:net';
import { PortAllocator, bindProbe } from '../../../../src/agent/network/port-allocator.js';

t.test('ports are handed out sequentially from the last one, skipping reserved and taken ones', async (t) => {
  const busy = new Set([40003]);
  const alloc = new PortAllocator({ range: [40000, 40005], reservedTcp: [40001], reservedUdp: [], probe: async (p) => !busy.has(p) });
  t.equal(await alloc.allocate('tcp'), 40000);
  t.equal(await alloc.allocate('tcp'), 40002, 'skips the reserved port');
  t.equal(await alloc.allocate('tcp'), 40004, 'skips a port something else listens on');
  t.equal(await alloc.allocate('tcp'), 40005);
  alloc.release(40000, 'tcp');
  t.equal(await alloc.allocate('tcp'), 40000, 'wraps around to a released port');
  await t.rejects(alloc.allocate('tcp'), /no free tcp host port/);
  alloc.claim(40010, 'udp');
  t.equal(await alloc.allocate('udp'), 40001, 'udp has its own reserved and taken ports (40001 is reserved for tcp only)');
});

t.test('the bind probe sees a port in use', async (t) => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '0.0.0.0', r));
  t.teardown(() => srv.close());
  const port = (srv.address() as net.AddressInfo).port;
  t.equal(await bindProbe(port, 'tcp'), false);
});
