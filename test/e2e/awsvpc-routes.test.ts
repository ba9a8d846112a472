/**
 * ECS_AWSVPC_BLOCK_IMDS and ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES end to end (spec §1.3, §9 table row 2): an awsvpc
 * task started through the emulator's simulated VPC gets, inside its namespace, a blackhole route for
 * 169.254.169.254 and the additional routes through ecs-eth0 (via the ecs bridge), beside the credentials route
 * and the ENI's default route. The test only reads the namespace's routing (ip route show / ip route get are
 * lookups, nothing is sent anywhere). Needs root; skipped otherwise.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { CreateClusterCommand } from '@aws-sdk/client-ecs';
import { agentFor, ecsClient, REGION, removeContainersOfCluster, removeDir, tempDir, testLogger, waitFor } from '../kit/harness.js';
import { startEmulator } from '../../src/emulator/index.js';
import { ensurePauseImage, register, runOne, stopAndWait, waitStatus, type NetCluster } from '../kit/network.js';

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const tag = String(process.pid % 10000);
const SUBNET_ID = 'subnet-0berth0000000007';
const VPC = { subnetCidr: '10.213.7.0/24', bridge: `cvpc${tag}`, vethPrefix: `cv${tag}`, subnetId: SUBNET_ID };
const ECS_BRIDGE = `cecs${tag}`;

interface Route {
  dst: string;
  gateway?: string;
  dev?: string;
  type?: string;
}

function pauseId(taskArn: string): string {
  const id = execFileSync('docker', ['ps', '-q', '--filter', `label=com.amazonaws.ecs.task-arn=${taskArn}`, '--filter', 'label=com.amazonaws.ecs.container-name=~internal~ecs~pause'], { encoding: 'utf8' }).trim();
  if (!id) throw new Error(`no running pause container for ${taskArn}`);
  return id;
}

/** `ip -j <args>` inside the network namespace of process `pid`. */
function inNs(pid: number, ...args: string[]): unknown {
  return JSON.parse(execFileSync('nsenter', ['-t', String(pid), '-n', 'ip', '-j', ...args], { encoding: 'utf8' }));
}

t.test('awsvpc routes', { skip: root ? false : 'awsvpc needs root: links move between network namespaces' }, async (t) => {
  ensurePauseImage();
  const dir = tempDir('cln-awsvpc');
  const cluster = `cln-awsvpc-${process.pid}`;
  const emulator = await startEmulator({ port: 0, dataDir: `${dir}/emulator`, region: REGION, log: testLogger(), heartbeatIntervalMs: 1000, vpc: VPC });
  t.teardown(async () => {
    await emulator.close();
    removeContainersOfCluster(cluster);
    removeDir(dir);
    for (const name of readdirSync('/sys/class/net')) {
      if (name.startsWith(VPC.vethPrefix) || name === VPC.bridge || name === ECS_BRIDGE) execFileSync('ip', ['link', 'del', name], { stdio: 'ignore' });
    }
  });
  const ecs = ecsClient(emulator.url);
  t.teardown(() => ecs.destroy());
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const agent = await agentFor({
    cluster,
    backend: emulator.url,
    dataDir: `${dir}/agent`,
    portRange: '58400-58449',
    extra: {
      ECS_ENABLE_TASK_ENI: 'true',
      BERTH_ECS_BRIDGE: ECS_BRIDGE,
      ECS_AWSVPC_BLOCK_IMDS: 'true',
      // A host address with host bits set is normalised like the official agent's CIDR parsing would route it.
      ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES: JSON.stringify(['10.77.1.2/16', '192.0.2.7/32']),
    },
  });
  t.teardown(() => agent.close());
  const c: NetCluster = { emulator, ecs, agent, cluster, dir };
  const td = await register(ecs, {
    family: 'cln-awsvpc',
    networkMode: 'awsvpc',
    containerDefinitions: [{ name: 'app', image: 'berth/busybox:latest', essential: true, memory: 32, command: ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'] }],
  });

  const arn = await runOne(c, td, { networkConfiguration: { awsvpcConfiguration: { subnets: [SUBNET_ID] } } });
  const task = await waitStatus(c, arn, 'RUNNING');
  const pid = Number(execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', pauseId(arn)], { encoding: 'utf8' }).trim());
  t.ok(pid > 0, 'the pause container holds the namespace');
  const routes = inNs(pid, '-4', 'route', 'show') as Route[];
  const route = (dst: string): Route | undefined => routes.find((r) => r.dst === dst);

  t.match(route('169.254.169.254'), { type: 'blackhole' }, 'instance metadata is blackholed in the task namespace');
  for (const dst of ['10.77.0.0/16', '192.0.2.7']) {
    t.match(route(dst), { gateway: '169.254.172.1', dev: 'ecs-eth0' }, `${dst} goes through ecs-eth0 via the ecs bridge`);
  }
  t.match(route('169.254.170.2'), { gateway: '169.254.172.1', dev: 'ecs-eth0' }, 'the credentials route is still there');
  t.match(route('default'), { gateway: '10.213.7.1', dev: 'eth0' }, 'everything else leaves through the ENI');
  t.notOk(route('10.77.1.2/16'), 'no route with host bits set');

  // Route lookups (no packet is sent): which way would the kernel take?
  const lookup = (addr: string): Route[] => inNs(pid, 'route', 'get', addr) as Route[];
  t.match(lookup('10.77.200.9'), [{ dev: 'ecs-eth0', gateway: '169.254.172.1' }], 'an address in an additional route resolves to ecs-eth0');
  t.match(lookup('10.213.7.200'), [{ dev: 'eth0' }], 'the subnet stays on the ENI');
  t.throws(() => inNs(pid, 'route', 'get', '169.254.169.254'), 'no usable route to instance metadata');

  const ipamInfo = task.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
  t.match(ipamInfo, /^10\.213\.7\.\d+$/, 'the ENI address is in the subnet');
  await stopAndWait(c, arn);
  await waitFor('pause container gone', async () => (execFileSync('docker', ['ps', '-aq', '--filter', `label=com.amazonaws.ecs.task-arn=${arn}`, '--filter', 'label=com.amazonaws.ecs.container-name=~internal~ecs~pause'], { encoding: 'utf8' }).trim() === '' ? true : undefined), 15_000);
  t.pass('the task network is released after the stop');
});
