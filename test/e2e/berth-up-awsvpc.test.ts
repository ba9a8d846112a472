/**
 * `berth up --vpc-cidr`: the one-process local setup runs awsvpc tasks. The simulated VPC comes from the command
 * line, the agent `berth up` starts opts in to task-eni (it is an ECS_EXTERNAL instance), and RunTask is the aws
 * CLI command the README documents. Traffic goes only to the ENI address of the task this test starts. Needs root
 * (bridges, veths and namespaces); skipped otherwise.
 */
import t from 'tap';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { DescribeContainerInstancesCommand, DescribeTasksCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { ecsClient, removeContainersOfCluster, removeDir, tempDir, waitFor } from '../kit/harness.js';
import { haveAwsCli } from '../kit/aws-cli.js';
import { ensurePauseImage } from '../kit/network.js';

const run = promisify(execFile);
const CLI = ['--import', 'tsx', 'src/cli.ts'];
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const tag = String(process.pid % 10000);
const CIDR = '10.219.0.0/24';
const SUBNET_ID = 'subnet-0b0e0f0000000219';
const VPC_BRIDGE = `upvb${tag}`;
const VETH_PREFIX = `uv${tag}`;
const ECS_BRIDGE = `upve${tag}`;

function linkMacs(): Map<string, string> {
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

function ours(name: string): boolean {
  return name === VPC_BRIDGE || name === ECS_BRIDGE || name.startsWith(VETH_PREFIX);
}


function pauseContainers(taskArn: string): string[] {
  const filters = ['--filter', `label=com.amazonaws.ecs.task-arn=${taskArn}`, '--filter', 'label=com.amazonaws.ecs.container-name=~internal~ecs~pause'];
  return execFileSync('docker', ['ps', '-aq', ...filters], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

async function describeTask(ecs: ECSClient, cluster: string, arn: string): Promise<Task | undefined> {
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks?.[0];
}

function detail(task: Task | undefined, name: string): string | undefined {
  return task?.attachments?.[0]?.details?.find((d) => d.name === name)?.value;
}

t.test('berth up --vpc-cidr runs an awsvpc task reachable at its ENI address and removes the VPC on Ctrl-C', { skip: root ? false : 'awsvpc needs root: bridges, veths and network namespaces' }, async (t) => {
  ensurePauseImage();
  const dir = tempDir('e2e-upv');
  const cluster = `upv-${process.pid}`;
  t.teardown(() => {
    removeContainersOfCluster(cluster);
    for (const name of linkMacs().keys()) if (ours(name)) execFileSync('ip', ['link', 'del', name], { stdio: 'ignore' });
    removeDir(dir);
  });
  const child = spawn(process.execPath, [...CLI, 'up', '--port', '0', '--data-dir', dir, '--cluster', cluster,
    '--vpc-cidr', CIDR, '--vpc-subnet-id', SUBNET_ID, '--vpc-bridge', VPC_BRIDGE, '--vpc-veth-prefix', VETH_PREFIX], {
    env: {
      ...process.env,
      ECS_LOGLEVEL: 'warn',
      BERTH_CONFIG_FILE: '/nonexistent/ecs.config',
      BERTH_INTROSPECTION_PORT: '0',
      BERTH_METADATA_PORT: '0',
      ECS_DYNAMIC_HOST_PORT_RANGE: '40300-40399',
      BERTH_ECS_BRIDGE: ECS_BRIDGE,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  // The banner's last line says it is all out (stdout may arrive in several chunks).
  const url = await waitFor('the whole banner', async () => (stdout.includes('Ctrl-C stops both') ? /ECS endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] : undefined), 30_000).catch((err: Error) => {
    throw new Error(`${err.message}\nstdout: ${stdout}\nstderr: ${stderr}`);
  });
  t.match(stdout, `--network-configuration 'awsvpcConfiguration={subnets=[${SUBNET_ID}]}'`, 'prints the awsvpc run-task example');
  t.ok(readFileSync(`/sys/class/net/${VPC_BRIDGE}/address`, 'utf8'), 'the VPC bridge exists');

  const ecs = ecsClient(url);
  t.teardown(() => ecs.destroy());
  const instances = await ecs.send(new ListContainerInstancesCommand({ cluster }));
  const described = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: instances.containerInstanceArns }));
  const attributes = described.containerInstances?.[0]?.attributes?.map((a) => a.name) ?? [];
  t.ok(attributes.includes('ecs.capability.external'), 'an external instance');
  t.ok(attributes.includes('ecs.capability.task-eni'), 'which advertises task-eni');

  const td = await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'upv-web',
    networkMode: 'awsvpc',
    containerDefinitions: [{
      name: 'web',
      image: 'berth/busybox:latest',
      essential: true,
      memory: 64,
      command: ['sh', '-c', 'trap "exit 0" TERM; httpd -f -p 80 -h /www & wait'],
      portMappings: [{ containerPort: 80, protocol: 'tcp' }],
    }],
  }));
  const tdArn = td.taskDefinition!.taskDefinitionArn!;
  const network = `awsvpcConfiguration={subnets=[${SUBNET_ID}]}`;
  let taskArn: string | undefined;
  if (haveAwsCli()) {
    // Exactly the README's command line.
    const { stdout: out } = await run('aws', ['--endpoint-url', url, '--output', 'json', 'ecs', 'run-task', '--cluster', cluster, '--task-definition', tdArn, '--network-configuration', network], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDBERTHLOCAL', AWS_SECRET_ACCESS_KEY: 'berth-local-secret', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' },
    });
    taskArn = (JSON.parse(out) as { tasks?: { taskArn?: string }[] }).tasks?.[0]?.taskArn;
  } else {
    t.comment('aws CLI not on PATH: RunTask through the SDK');
    const ran = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: tdArn, networkConfiguration: { awsvpcConfiguration: { subnets: [SUBNET_ID] } } }));
    taskArn = ran.tasks?.[0]?.taskArn;
  }
  t.ok(taskArn, 'RunTask placed the task');
  const arn = taskArn!;

  const running = await waitFor('task RUNNING', async () => {
    const task = await describeTask(ecs, cluster, arn);
    if (task?.lastStatus === 'STOPPED') throw new Error(`task stopped: ${task.stoppedReason}`);
    return task?.lastStatus === 'RUNNING' ? task : undefined;
  }, 30_000);
  const ip = detail(running, 'privateIPv4Address')!;
  const mac = detail(running, 'macAddress')!;
  t.equal(detail(running, 'subnetId'), SUBNET_ID, 'the subnet id given with --vpc-subnet-id');
  t.match(ip, /^10\.219\.0\.\d+$/, `ENI address ${ip} in ${CIDR}`);
  const res = await fetch(`http://${ip}:80/`, { signal: AbortSignal.timeout(5000) });
  t.equal(await res.text(), 'hello from berth\n', `the task answers at ${ip}:80`);

  await ecs.send(new StopTaskCommand({ cluster, task: arn }));
  const stopped = await waitFor('task STOPPED', async () => {
    const task = await describeTask(ecs, cluster, arn);
    return task?.lastStatus === 'STOPPED' ? task : undefined;
  }, 30_000);
  t.equal(stopped.containers?.[0]?.exitCode, 0, 'the app exited 0 on SIGTERM');
  await waitFor('the task network released', async () => {
    const task = await describeTask(ecs, cluster, arn);
    const links = [...linkMacs()].filter(([name, m]) => (ours(name) && name !== VPC_BRIDGE) || m === mac);
    return task?.attachments?.[0]?.status === 'DELETED' && links.length === 0 && pauseContainers(arn).length === 0 ? true : undefined;
  }, 30_000); // the CNI teardown and the pause container's removal take seconds when Docker is busy with other tests
  t.pass('after StopTask: attachment DELETED, no ENI veth or device, no ecs bridge, no pause container (namespace)');

  child.kill('SIGINT');
  const [code] = (await once(child, 'exit')) as [number | null];
  t.equal(code, 0, `Ctrl-C exits 0${code === 0 ? '' : `\nstderr: ${stderr}`}`);
  const left = [...linkMacs()].filter(([name, m]) => ours(name) || m === mac).map(([name]) => name);
  t.same(left, [], 'after Ctrl-C no link of the VPC is left, its bridge included');
  const rules = execFileSync('iptables-save', { encoding: 'utf8' });
  t.notOk(rules.includes(VPC_BRIDGE) || rules.includes(ECS_BRIDGE), 'no iptables rule mentions the bridges');
});
