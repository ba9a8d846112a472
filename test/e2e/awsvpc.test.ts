/**
 * awsvpc end to end on one machine (spec §3.2, §4.2, §5.7, §6.3, §9): the emulator's simulated VPC attaches an
 * ENI (a veth whose host end has the ENI's MAC), the agent reports it ATTACHED, gets the task, moves the ENI
 * into the pause container's namespace with CNI and the app joins it. Traffic goes only to the ENI addresses
 * of the tasks this test starts. Needs root (links and namespaces); skipped otherwise.
 */
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { RunTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { agentFor, emulatorOn, REGION, testLogger, waitFor } from '../kit/harness.js';
import { startEmulator } from '../../src/emulator/index.js';
import { describe, ensurePauseImage, netCluster, register, runOne, stopAndWait, waitStatus, type NetCluster } from '../kit/network.js';

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const tag = String(process.pid % 10000);
const SUBNET_ID = 'subnet-0berth0000000001';
const VPC = { subnetCidr: '10.213.0.0/24', bridge: `nvpc${tag}`, vethPrefix: `nv${tag}`, subnetId: SUBNET_ID };
const ECS_BRIDGE = `necs${tag}`;
const NETWORK = { awsvpcConfiguration: { subnets: [SUBNET_ID] } };

const WEB = {
  name: 'web',
  image: 'berth/busybox:latest',
  essential: true,
  memory: 64,
  command: ['sh', '-c', 'trap "exit 0" TERM; httpd -f -p 80 -h /www & wait'],
  portMappings: [{ containerPort: 80, protocol: 'tcp' as const }],
};

function links(): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync('/sys/class/net')) {
    try {
      out.set(name, readFileSync(`/sys/class/net/${name}/address`, 'utf8').trim());
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function pauseContainers(taskArn: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=com.amazonaws.ecs.task-arn=${taskArn}`, '--filter', 'label=com.amazonaws.ecs.container-name=~internal~ecs~pause'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

function detail(task: Task, name: string): string | undefined {
  return task.attachments?.[0]?.details?.find((d) => d.name === name)?.value;
}

async function get(ip: string): Promise<string> {
  const res = await fetch(`http://${ip}/`, { signal: AbortSignal.timeout(2000) });
  return res.text();
}

/** Nothing of the task's network is left: ENI device, VPC veth, pause container (its namespace), ecs bridge. */
async function assertGone(t: Test, c: NetCluster, tasks: Task[]): Promise<void> {
  const macs = tasks.map((x) => detail(x, 'macAddress'));
  await waitFor('task networks released', async () => {
    const now = links();
    const leftovers = [...now].filter(([name, mac]) => macs.includes(mac) || name.startsWith(VPC.vethPrefix) || name === ECS_BRIDGE);
    const pauses = tasks.flatMap((x) => pauseContainers(x.taskArn!));
    const described = await Promise.all(tasks.map((x) => describe(c, x.taskArn!)));
    const deleted = described.every((d) => d?.attachments?.[0]?.status === 'DELETED');
    return leftovers.length === 0 && pauses.length === 0 && deleted ? true : undefined;
  }, 15_000);
  t.pass('no ENI device, VPC veth, pause container (namespace) or ecs bridge left; attachments DELETED');
  const rules = execFileSync('iptables-save', { encoding: 'utf8' });
  t.notOk(rules.includes(ECS_BRIDGE) || rules.includes(VPC.bridge), 'no iptables rule mentions the bridges');
}

t.test('awsvpc', { skip: root ? false : 'awsvpc needs root: links move between network namespaces' }, async (t) => {
  ensurePauseImage();
  const agentEnv = { ECS_ENABLE_TASK_ENI: 'true', BERTH_ECS_BRIDGE: ECS_BRIDGE };
  const c = await netCluster(t, 'awsvpc', {
    portRange: '54200-54299',
    agentEnv,
    emulator: (dir) => startEmulator({ port: 0, dataDir: dir, region: REGION, log: testLogger(), heartbeatIntervalMs: 1000, vpc: VPC }),
  });
  t.teardown(() => {
    for (const name of links().keys()) if (name.startsWith(VPC.vethPrefix) || name === VPC.bridge || name === ECS_BRIDGE) execFileSync('ip', ['link', 'del', name], { stdio: 'ignore' });
  });
  const td = await register(c.ecs, { family: 'net-awsvpc', networkMode: 'awsvpc', containerDefinitions: [WEB] });

  await t.test('two tasks get their own ENI address and both serve port 80 from it; StopTask leaves nothing behind', async (t) => {
    const arns = [await runOne(c, td, { networkConfiguration: NETWORK }), await runOne(c, td, { networkConfiguration: NETWORK })];
    const tasks = await Promise.all(arns.map((a) => waitStatus(c, a, 'RUNNING')));
    const ips = tasks.map((x) => detail(x, 'privateIPv4Address')!);
    t.not(ips[0], ips[1], `own addresses ${ips.join(', ')}`);
    for (const [i, task] of tasks.entries()) {
      const a = task.attachments?.[0];
      t.equal(a?.type, 'ElasticNetworkInterface');
      t.equal(a?.status, 'ATTACHED');
      t.equal(detail(task, 'subnetId'), SUBNET_ID);
      t.match(detail(task, 'networkInterfaceId'), /^eni-[0-9a-f]{17}$/);
      t.match(detail(task, 'macAddress'), /^02(:[0-9a-f]{2}){5}$/);
      t.match(ips[i], /^10\.213\.0\.\d+$/);
      t.same(task.containers?.[0]?.networkInterfaces, [{ attachmentId: a?.id, privateIpv4Address: ips[i] }]);
      t.same(task.containers?.[0]?.networkBindings ?? [], [], 'no host port bindings');
      t.notOk([...links().values()].includes(detail(task, 'macAddress')!), 'the ENI device moved off the host into the task namespace');
      t.equal(await get(ips[i]!), 'hello from berth\n', `task ${i} answers on ${ips[i]}:80`);
      const pause = pauseContainers(task.taskArn!);
      t.equal(pause.length, 1, 'one pause container');
      const inspect = JSON.parse(execFileSync('docker', ['inspect', pause[0]!], { encoding: 'utf8' }))[0] as { Config: { Hostname: string }; HostConfig: { Dns: string[]; DnsSearch: string[]; NetworkMode: string } };
      t.equal(inspect.Config.Hostname, detail(task, 'privateDnsName'), 'hostname from the ENI');
      t.same(inspect.HostConfig.Dns, ['10.213.0.2'], 'DNS servers from the ENI');
      t.same(inspect.HostConfig.DnsSearch, ['ec2.internal'], 'search domains from the ENI');
      const app = JSON.parse(execFileSync('docker', ['inspect', task.containers![0]!.runtimeId!], { encoding: 'utf8' }))[0] as { HostConfig: { NetworkMode: string } };
      t.equal(app.HostConfig.NetworkMode, `container:${JSON.parse(execFileSync('docker', ['inspect', '-f', '{{json .Id}}', pause[0]!], { encoding: 'utf8' })) as string}`, 'the app joins the pause namespace');
    }
    t.ok(existsSync(`/sys/class/net/${ECS_BRIDGE}`), 'the ecs bridge exists while tasks run');
    const stopped = await Promise.all(arns.map((a) => stopAndWait(c, a)));
    for (const s of stopped) t.equal(s.containers?.[0]?.exitCode, 0);
    await assertGone(t, c, tasks);
  });

  await t.test('the pause container dying stops the task (it is essential), and the network is still released', async (t) => {
    const arn = await runOne(c, td, { networkConfiguration: NETWORK });
    const task = await waitStatus(c, arn, 'RUNNING');
    const [pause] = pauseContainers(arn);
    execFileSync('docker', ['kill', pause!], { stdio: 'ignore' });
    const stopped = await waitStatus(c, arn, 'STOPPED');
    t.equal(stopped.containers?.[0]?.lastStatus, 'STOPPED', 'the app container was stopped too');
    t.ok(stopped.executionStoppedAt, 'executionStoppedAt is set');
    await assertGone(t, c, [task]);
  });

  await t.test('the task keeps its network across an agent restart and is stopped cleanly later', async (t) => {
    const arn = await runOne(c, td, { networkConfiguration: NETWORK });
    const task = await waitStatus(c, arn, 'RUNNING');
    const ip = detail(task, 'privateIPv4Address')!;
    t.equal(await get(ip), 'hello from berth\n');
    await c.agent.close();
    t.equal(await get(ip), 'hello from berth\n', 'serves while no agent runs');
    const agent = await agentFor({ cluster: c.cluster, backend: c.emulator.url, dataDir: `${c.dir}/agent`, portRange: '54200-54299', extra: agentEnv });
    t.teardown(() => agent.close());
    t.equal(await get(ip), 'hello from berth\n', 'serves after the restart');
    t.equal(pauseContainers(arn).length, 1, 'the same pause container, not a second one');
    await stopAndWait(c, arn);
    await assertGone(t, c, [task]);
  });

  await t.test('bad requests fail as ECS fails them', async (t) => {
    await t.rejects(c.ecs.send(new RunTaskCommand({ cluster: c.cluster, taskDefinition: td })), { name: 'InvalidParameterException', message: /Network Configuration must be provided/ });
    await t.rejects(c.ecs.send(new RunTaskCommand({ cluster: c.cluster, taskDefinition: td, networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-nope'] } } })), { name: 'InvalidParameterException', message: /subnet-nope/ });
  });
});

t.test('instances without ecs.capability.task-eni get no awsvpc tasks', async (t) => {
  // No VPC needed: placement refuses before any ENI is made. ECS_EXTERNAL without the opt-in: no task-eni.
  const c = await netCluster(t, 'noeni', {
    portRange: '54300-54399',
    emulator: (dir) => (root ? startEmulator({ port: 0, dataDir: dir, region: REGION, log: testLogger(), heartbeatIntervalMs: 1000, vpc: { ...VPC, bridge: `nvpx${tag}`, vethPrefix: `nx${tag}`, subnetCidr: '10.213.1.0/24' } }) : emulatorOn(dir)),
  });
  t.teardown(() => {
    for (const name of links().keys()) if (name === `nvpx${tag}`) execFileSync('ip', ['link', 'del', name], { stdio: 'ignore' });
  });
  const td = await register(c.ecs, { family: 'net-awsvpc-noeni', networkMode: 'awsvpc', containerDefinitions: [WEB] });
  if (!root) {
    await t.rejects(c.ecs.send(new RunTaskCommand({ cluster: c.cluster, taskDefinition: td, networkConfiguration: NETWORK })), { name: 'InvalidParameterException' });
    return;
  }
  const run = await c.ecs.send(new RunTaskCommand({ cluster: c.cluster, taskDefinition: td, networkConfiguration: NETWORK }));
  t.same(run.tasks, []);
  t.equal(run.failures?.[0]?.reason, 'ATTRIBUTE');
});
