/**
 * The agent's awsvpc plumbing against real Docker and the real CNI plugins (root only): the ENI (a veth end
 * this test makes, carrying the ENI's MAC) becomes eth0 in the pause container's namespace with its address
 * and default route, ecs-eth0 gets the credentials route; teardown gives the ENI back and removes the pause
 * container and the idle bridge. An ENI that is not on the host fails setup with a clear reason.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AwsvpcNetwork } from '../../../../../src/agent/network/awsvpc/task-network.js';
import { DockerRuntime } from '../../../../../src/agent/runtime/docker.js';
import { newTaskRecord, parseTaskSpec } from '../../../../../src/agent/engine/parse-task.js';
import type { TaskNetworkState, TaskRecord } from '../../../../../src/agent/model/task.js';
import { silentLogger } from '../../../../../src/shared/log.js';

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const tag = String(process.pid % 10000);

function record(mac: string, id: string): TaskRecord {
  const spec = parseTaskSpec({
    arn: `arn:aws:ecs:us-east-1:0:task/net-unit/${id}`,
    family: 'net-unit',
    version: '1',
    networkMode: 'awsvpc',
    elasticNetworkInterfaces: [{ ec2Id: 'eni-0000000000000000a', macAddress: mac, attachmentArn: 'arn:att', ipv4Addresses: [{ privateAddress: '10.213.2.5', primary: true }], subnetGatewayIpv4Address: '10.213.2.1/24', domainNameServers: ['10.213.2.2'], domainName: ['ec2.internal'], privateDnsName: 'ip-10-213-2-5.ec2.internal' }],
    containers: [{ name: 'web', image: 'berth/busybox:latest' }],
  });
  return newTaskRecord(spec, 'RUNNING');
}

function nsJson(pid: number, ...args: string[]): unknown {
  return JSON.parse(execFileSync('nsenter', ['-t', String(pid), '-n', 'ip', '-j', ...args], { encoding: 'utf8' }));
}

t.test('awsvpc task network', { skip: root ? false : 'needs root' }, async (t) => {
  execFileSync(path.resolve('scripts/build-pause-image'));
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-tasknet-'));
  const runtime = new DockerRuntime({ dockerHost: 'unix:///var/run/docker.sock' });
  const bridge = `ntb${tag}`;
  const [eniEnd, peer] = [`nt${tag}e`, `nt${tag}p`];
  t.teardown(async () => {
    for (const l of [eniEnd, peer, bridge]) if (existsSync(`/sys/class/net/${l}`)) execFileSync('ip', ['link', 'del', l], { stdio: 'ignore' });
    execFileSync('sh', ['-c', `docker rm -f $(docker ps -aq --filter label=com.amazonaws.ecs.cluster=net-unit-${tag}) 2>/dev/null || true`]);
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const net = new AwsvpcNetwork({ runtime, cluster: `net-unit-${tag}`, pluginDir: '/usr/lib/cni', bridgeName: bridge, ipamDir: path.join(dir, 'ipam'), log: silentLogger(), eniWaitMs: 300 });
  const signal = new AbortController().signal;
  // The setup's polling sleeps are unref'd (the agent has other handles): keep this process alive meanwhile.
  const keepAlive = setInterval(() => undefined, 1000);
  t.teardown(() => clearInterval(keepAlive));
  const io = (rec: TaskRecord) => ({ signal, save: async (update: (n: TaskNetworkState) => void) => update((rec.state.network ??= {})) });

  await t.test('the ENI becomes eth0 with its address and routes; teardown leaves nothing', async (t) => {
    const mac = '02:b0:00:00:00:01';
    execFileSync('ip', ['link', 'add', eniEnd, 'address', mac, 'type', 'veth', 'peer', 'name', peer]);
    const rec = record(mac, `ok${tag}`);
    const state = await net.setup(rec, io(rec));
    rec.state.network = { ...rec.state.network, ...state };
    t.ok(state.ready);
    t.match(state.localIp, /^169\.254\.17[2-5]\.\d+$/, 'ecs-eth0 address from the ecs bridge range');
    t.notOk(existsSync(`/sys/class/net/${eniEnd}`), 'the ENI left the host namespace');
    const pid = (await runtime.inspectContainer(state.pauseId!, signal))!.pid!;
    const addrs = nsJson(pid, 'addr') as { ifname: string; address: string; addr_info: { local: string; prefixlen: number }[] }[];
    const eth0 = addrs.find((a) => a.ifname === 'eth0');
    t.equal(eth0?.address, mac, 'eth0 is the ENI');
    t.same(eth0?.addr_info.map((a) => `${a.local}/${a.prefixlen}`), ['10.213.2.5/24']);
    const routes = nsJson(pid, 'route') as { dst: string; gateway?: string; dev: string }[];
    t.ok(routes.some((r) => r.dst === 'default' && r.gateway === '10.213.2.1' && r.dev === 'eth0'), 'default route to the subnet gateway');
    t.ok(routes.some((r) => r.dst === '169.254.170.2' && r.dev === 'ecs-eth0'), 'credentials endpoint route over ecs-eth0');
    await net.teardown(rec, signal);
    t.ok(existsSync(`/sys/class/net/${eniEnd}`), 'the ENI is back on the host');
    t.equal(await runtime.inspectContainer(state.pauseId!, signal), undefined, 'pause container (and its namespace) gone');
    t.notOk(existsSync(`/sys/class/net/${bridge}`), 'idle ecs bridge removed');
    await net.teardown(rec, signal);
    t.pass('teardown can run again');
  });

  await t.test('an ENI that is not on the host fails setup with a clear reason and leaves nothing', async (t) => {
    const rec = record('02:b0:00:00:00:99', `missing${tag}`);
    const err = await net.setup(rec, io(rec)).then(() => undefined, (e: unknown) => e as { code?: string; message?: string });
    t.equal(err?.code, 'ResourceInitializationError');
    t.match(err?.message, /ENI eni-0000000000000000a \(02:b0:00:00:00:99\) is not attached to this host/);
    t.ok(rec.state.network?.pauseId, 'the pause container had been made');
    await net.teardown(rec, signal);
    t.equal(await runtime.inspectContainer(rec.state.network!.pauseId!, signal), undefined, 'and is removed by teardown');
  });
});
