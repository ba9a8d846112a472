/**
 * Chaos: 32 task start/stop cycles against an in-process emulator while the agent process (`berth agent`) is
 * SIGKILLed and restarted at chosen moments: right after a RunTask (during the pull), right after Docker
 * created a container (between create and start), right after a RUNNING report arrived (while the agent
 * persists the sent status), and at random. Afterwards: zero orphan containers, zero duplicates, and every
 * task's final state in the emulator equals what Docker shows.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { cpSync, createWriteStream } from 'node:fs';
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { CREDENTIALS, REGION, ecsClient, emulatorOn, removeContainersOfCluster, removeDir, tempDir, waitFor, WEB_CONTAINER } from '../kit/harness.js';
import { docker } from '../kit/docker.js';
import { agentEnv, spawnAgent, type AgentProcess } from '../kit/agent-process.js';

const CYCLES = Number(process.env['BERTH_CHAOS_CYCLES'] ?? 32);
const CONCURRENCY = 3;
/** At least one kill per this many cycles: a cycle waits (briefly) for the killer to catch up. */
const CYCLES_PER_KILL = 3;
const MODES = ['after-runtask', 'after-create', 'after-running-report', 'random'] as const;
type KillMode = (typeof MODES)[number];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const rand = (a: number, b: number): number => a + Math.random() * (b - a);

t.test('SIGKILLing the agent at random moments over 32 task cycles leaves no orphan, no duplicate, no disagreement', async (t) => {
  const dir = tempDir('dur-chaos');
  t.teardown(() => removeDir(dir));
  const cluster = `dur-chaos-${process.pid}`;
  t.teardown(() => removeContainersOfCluster(cluster));
  const emulator = await emulatorOn(`${dir}/emulator`);
  t.teardown(() => emulator.close());
  const ecs = ecsClient(emulator.url);
  t.teardown(() => ecs.destroy());
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'dur-chaos', containerDefinitions: [WEB_CONTAINER] }));

  const env = agentEnv({
    cluster, backend: emulator.url, dataDir: `${dir}/agent`, portRange: '53500-53599', region: REGION,
    accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: CREDENTIALS.secretAccessKey,
  });
  let generation = 0;
  const logDir = process.env['BERTH_CHAOS_LOGDIR'];
  const start = (): AgentProcess => {
    const a = spawnAgent(logDir ? { ...env, ECS_LOGLEVEL: 'debug' } : env);
    const n = generation++;
    if (logDir) a.child.stderr!.pipe(createWriteStream(`${logDir}/agent-${n}.log`));
    return a;
  };
  let agent: AgentProcess = start();
  t.teardown(() => agent.child.kill('SIGKILL'));

  // Docker's create events for this cluster: the "between create and start" trigger.
  const events = spawn('docker', ['events', '--format', '{{.Action}}', '--filter', 'type=container', '--filter', 'event=create', '--filter', `label=com.amazonaws.ecs.cluster=${cluster}`]);
  t.teardown(() => events.kill());
  let lastCreate = 0;
  events.stdout.on('data', () => (lastCreate = Date.now()));

  const arns: string[] = [];
  let lastRunTask = 0;
  let running = 0;
  let lastRunningSeen = 0;
  const cycle = async (): Promise<void> => {
    let arn: string | undefined;
    while (!arn) {
      const out = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'dur-chaos' })).catch(() => undefined);
      arn = out?.tasks?.[0]?.taskArn;
      if (!arn) await sleep(200);
    }
    arns.push(arn);
    lastRunTask = Date.now();
    // Most cycles wait for RUNNING (the agent may be down for a while); some stop the task earlier.
    const deadline = Date.now() + (Math.random() < 0.25 ? rand(100, 1000) : 6000);
    while (Date.now() < deadline) {
      const task = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks?.[0];
      if (task?.lastStatus === 'RUNNING') {
        running++;
        lastRunningSeen = Date.now();
        await sleep(rand(0, 800));
        break;
      }
      await sleep(50);
    }
    await ecs.send(new StopTaskCommand({ cluster, task: arn }));
  };

  let done = false;
  const kills: Record<KillMode, number> = { 'after-runtask': 0, 'after-create': 0, 'after-running-report': 0, random: 0 };
  const killer = (async () => {
    for (let i = 0; !done; i++) {
      const mode = MODES[i % MODES.length]!;
      const since = Date.now();
      const trigger = (): boolean =>
        mode === 'after-runtask' ? lastRunTask > since : mode === 'after-create' ? lastCreate > since : mode === 'after-running-report' ? lastRunningSeen > since : true;
      if (mode === 'random') await sleep(rand(500, 3000));
      const deadline = Date.now() + 6000;
      while (!done && !trigger() && Date.now() < deadline) await sleep(5);
      if (done) break;
      if (!trigger()) continue;
      agent.child.kill('SIGKILL');
      await agent.exited;
      kills[mode]++;
      agent = start();
      await sleep(rand(500, 1500)); // let the new agent make some progress before the next kill
    }
  })();

  const queue = Array.from({ length: CYCLES }, (_, i) => i);
  const totalKills = (): number => Object.values(kills).reduce((a, b) => a + b, 0);
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      const waitUntil = Date.now() + 10_000;
      while (totalKills() < Math.floor(i / CYCLES_PER_KILL) && Date.now() < waitUntil) await sleep(50);
      await cycle();
    }
  }));
  done = true;
  await killer;

  const describeAll = async (): Promise<Task[]> => {
    const tasks: Task[] = [];
    for (let i = 0; i < arns.length; i += 100) tasks.push(...((await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks ?? []));
    return tasks;
  };
  let final: Task[];
  try {
    final = await waitFor('every task STOPPED in the emulator', async () => {
      const tasks = await describeAll();
      return tasks.length === arns.length && tasks.every((x) => x.lastStatus === 'STOPPED') ? tasks : undefined;
    }, 60_000);
  } catch (err) {
    for (const x of (await describeAll()).filter((x) => x.lastStatus !== 'STOPPED')) {
      t.comment(`not STOPPED: ${x.taskArn} last=${x.lastStatus} desired=${x.desiredStatus} containers=${JSON.stringify(x.containers?.map((c) => [c.lastStatus, c.runtimeId?.slice(0, 12), c.exitCode]))}`);
    }
    if (logDir) cpSync(`${dir}/agent`, `${logDir}/agent-data`, { recursive: true });
    t.comment(`agent log tail:\n${agent.stderr().split('\n').slice(-30).join('\n')}`);
    throw err;
  }

  const ids = docker('ps', '-aq', '--no-trunc', '--filter', `label=com.amazonaws.ecs.cluster=${cluster}`).split('\n').filter(Boolean);
  const inspected = ids.length === 0 ? [] : (JSON.parse(docker('inspect', ...ids)) as { Id: string; State: { Running: boolean; ExitCode: number }; Config: { Labels: Record<string, string> } }[]);
  const byTask = new Map<string, typeof inspected>();
  for (const c of inspected) {
    const arn = c.Config.Labels['com.amazonaws.ecs.task-arn'] ?? '';
    byTask.set(arn, [...(byTask.get(arn) ?? []), c]);
  }
  const orphans = inspected.filter((c) => !arns.includes(c.Config.Labels['com.amazonaws.ecs.task-arn'] ?? '') || c.State.Running).length;
  const duplicates = [...byTask.values()].filter((cs) => cs.length > 1).length;
  let mismatches = 0;
  for (const task of final) {
    const cs = byTask.get(task.taskArn!) ?? [];
    const reported = task.containers?.[0];
    if (cs.length === 1 && reported?.runtimeId !== undefined && reported.runtimeId !== cs[0]!.Id) mismatches++;
    if (cs.length === 1 && reported?.exitCode !== undefined && reported.exitCode !== cs[0]!.State.ExitCode) mismatches++;
    if (cs.length === 1 && reported?.runtimeId === undefined && cs[0]!.State.ExitCode !== 0) mismatches++;
  }
  t.comment(`cycles=${arns.length} reachedRunning=${running} containers=${inspected.length} kills=${totalKills()} ${JSON.stringify(kills)}`);
  t.comment(`orphans=${orphans} duplicates=${duplicates} mismatches=${mismatches}`);
  t.ok(arns.length >= 30, 'at least 30 cycles');
  t.ok(totalKills() >= 8, 'the agent was killed many times');
  t.equal(orphans, 0, 'no orphan containers');
  t.equal(duplicates, 0, 'no duplicate containers');
  t.equal(mismatches, 0, "every task's final state matches Docker");
});
