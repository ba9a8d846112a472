/**
 * bridge network mode end to end (spec §9): dynamic host ports from ECS_DYNAMIC_HOST_PORT_RANGE, TCP and UDP,
 * container port ranges mapped onto contiguous host ports, networkBindings with bindIP and no IPv6 entries,
 * static host ports held by the placement's host resource accounting. Traffic goes to 127.0.0.1 only.
 */
import t from 'tap';
import dgram from 'node:dgram';
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { httpGet, waitFor, WEB_CONTAINER } from '../kit/harness.js';
import { ensureUdpEchoImage, netCluster, register, runOne, stopAndWait, UDP_ECHO_COMMAND, UDP_ECHO_IMAGE, waitStatus } from '../kit/network.js';

const RANGE: [number, number] = [54000, 54099];
const inRange = (p: number | undefined): boolean => p !== undefined && p >= RANGE[0] && p <= RANGE[1];

function udpRoundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error('no UDP reply'));
    }, 500);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m.toString());
    });
    s.send(text, port, '127.0.0.1');
  });
}

const STATIC_PORT = 29950;

t.test('bridge mode', async (t) => {
  ensureUdpEchoImage();
  const c = await netCluster(t, 'bridge', { portRange: `${RANGE[0]}-${RANGE[1]}` });

  await t.test('two tasks with a dynamic port on the same container port both serve', async (t) => {
    const td = await register(c.ecs, { family: 'net-web', containerDefinitions: [WEB_CONTAINER] });
    const arns = [await runOne(c, td), await runOne(c, td)];
    const tasks = await Promise.all(arns.map((a) => waitStatus(c, a, 'RUNNING')));
    const bindings = tasks.map((task) => task.containers?.[0]?.networkBindings ?? []);
    for (const b of bindings) {
      t.equal(b.length, 1, 'one binding: the IPv6 (::) binding Docker also makes is not reported');
      t.equal(b[0]?.bindIP, '0.0.0.0');
      t.equal(b[0]?.containerPort, 8080);
      t.ok(inRange(b[0]?.hostPort), `host port ${b[0]?.hostPort} from ECS_DYNAMIC_HOST_PORT_RANGE`);
    }
    t.not(bindings[0]![0]!.hostPort, bindings[1]![0]!.hostPort, 'different host ports');
    for (const b of bindings) t.equal(await httpGet(b[0]!.hostPort!), 'hello from berth\n');
    await Promise.all(arns.map((a) => stopAndWait(c, a)));
  });

  await t.test('a UDP mapping carries datagrams both ways', async (t) => {
    const td = await register(c.ecs, {
      family: 'net-udp',
      containerDefinitions: [{ name: 'echo', image: UDP_ECHO_IMAGE, memory: 64, essential: true, command: UDP_ECHO_COMMAND, portMappings: [{ containerPort: 9000, hostPort: 0, protocol: 'udp' }] }],
    });
    const arn = await runOne(c, td);
    const task = await waitStatus(c, arn, 'RUNNING');
    const b = task.containers?.[0]?.networkBindings?.[0];
    t.equal(b?.protocol, 'udp');
    t.equal(b?.containerPort, 9000);
    t.ok(inRange(b?.hostPort), 'udp host port from the dynamic range');
    // The listener may need a moment after RUNNING; UDP has no connection to wait for, so retry the datagram.
    const reply = await waitFor('a UDP echo', () => udpRoundTrip(b!.hostPort!, 'ping').catch(() => undefined), 10_000);
    t.equal(reply, 'echo:ping');
    await stopAndWait(c, arn);
  });

  await t.test('a container port range maps onto contiguous host ports', async (t) => {
    const td = await register(c.ecs, {
      family: 'net-range',
      containerDefinitions: [{
        ...WEB_CONTAINER,
        command: ['sh', '-c', 'trap "exit 0" TERM; for p in 9100 9101 9102; do httpd -p $p -h /www; done; while :; do sleep 1; done'],
        portMappings: [{ containerPortRange: '9100-9102', protocol: 'tcp' }],
      }],
    });
    const arn = await runOne(c, td);
    const task = await waitStatus(c, arn, 'RUNNING');
    const b = task.containers?.[0]?.networkBindings ?? [];
    t.equal(b.length, 1, 'the range is one binding, as ECS reports it');
    t.match(b[0], { bindIP: '0.0.0.0', protocol: 'tcp', containerPortRange: '9100-9102', hostPortRange: /^\d+-\d+$/ });
    const [first, last] = b[0]!.hostPortRange!.split('-').map(Number) as [number, number];
    t.equal(last, first + 2, 'host ports are contiguous');
    t.ok(inRange(first) && inRange(last), 'the host range lies in the dynamic range');
    for (let i = 0; i < 3; i++) t.equal(await httpGet(first + i), 'hello from berth\n', `container port ${9100 + i} answers on host port ${first + i}`);
    await stopAndWait(c, arn);
  });

  await t.test('a static host port is held: a second task wanting it is not placed', async (t) => {
    // Below the kernel's ephemeral range (32768-60999 here): a static port inside it can be taken at any
    // moment by some process's outgoing connection, which made this test flaky.
    const td = await register(c.ecs, { family: 'net-static', containerDefinitions: [{ ...WEB_CONTAINER, portMappings: [{ containerPort: 8080, hostPort: STATIC_PORT, protocol: 'tcp' }] }] });
    const arn = await runOne(c, td);
    await waitStatus(c, arn, 'RUNNING');
    t.equal(await httpGet(STATIC_PORT), 'hello from berth\n', 'the static port serves');
    const second = await c.ecs.send(new RunTaskCommand({ cluster: c.cluster, taskDefinition: td }));
    t.same(second.tasks, []);
    t.equal(second.failures?.[0]?.reason, 'RESOURCE:PORTS');
    await stopAndWait(c, arn);
    const third = await runOne(c, td);
    await waitStatus(c, third, 'RUNNING');
    t.pass('the port is free again once the first task stopped');
    await stopAndWait(c, third);
  });
});
