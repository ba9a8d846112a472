/**
 * Ctrl-C on `npm start` in a terminal, on a machine where the setup script had to start Docker (issue 22).
 *
 * The terminal is a real pseudo-terminal (util-linux `script`), so Ctrl-C is the byte 0x03 that the line
 * discipline turns into SIGINT for the whole foreground process group: npm, its shells, scripts/ensure-docker and
 * berth, and (before the fix) the dockerd that ensure-docker had started there. The engine is a private one (its
 * own socket, data root and bridge, see ./private-dockerd.ts) so the host's dockerd is never touched; from
 * ensure-docker's side nothing answers on DOCKER_HOST, so it starts one exactly as on a fresh machine.
 */
import t from 'tap';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { REPO } from '../kit/run-berth.js';
import { freePort } from '../kit/docker.js';
import { waitFor, WEB_CONTAINER } from '../kit/harness.js';
import { privateDockerdLayout, startPrivateDockerd } from '../kit/private-dockerd.js';

const LOCAL_CREDENTIALS = { accessKeyId: 'AKIDBERTHLOCAL', secretAccessKey: 'berth-local-secret' };

interface Terminal {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  exited: Promise<number | null>;
}

/** `npm start -- <args>` in a new pseudo-terminal; its output as the terminal shows it. */
function npmStartInTerminal(args: string[], env: NodeJS.ProcessEnv): Terminal {
  const command = ['npm', 'start', '--', ...args].join(' ');
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], { cwd: REPO, env });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function endpointOf(term: Terminal): Promise<string> {
  return waitFor('berth is up', async () => (term.output().includes('Ctrl-C stops both') ? /berth is up: ECS endpoint (http:\/\/\S+) /.exec(term.output())?.[1] : undefined), 240_000)
    .catch((err: Error) => {
      throw new Error(`${err.message}\n--- terminal ---\n${term.output()}`);
    });
}

async function ctrlC(term: Terminal): Promise<number | null> {
  term.child.stdin.write('\x03');
  const timer = setTimeout(() => term.child.kill('SIGKILL'), 60_000);
  const code = await term.exited;
  clearTimeout(timer);
  return code;
}

/** Session id and controlling terminal of a process (fields 6 and 7 of /proc/<pid>/stat). */
function sessionOf(pid: number): { session: number; tty: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { session: Number(fields[3]), tty: Number(fields[4]) };
}

t.test('Ctrl-C on npm start leaves the Docker engine the setup started and the task running; the next start adopts the task', async (t) => {
  const layout = privateDockerdLayout();
  const dockerd = await startPrivateDockerd(layout, true);
  t.teardown(() => dockerd.destroy());
  const port = await freePort();
  const dataDir = path.join(layout.dir, 'berth');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    TERM: 'dumb',
    DOCKER_HOST: layout.host,
    BERTH_DOCKERD_ARGS: layout.args.join(' '),
    BERTH_DOCKERD_LOG: path.join(layout.dir, 'dockerd.log'),
    BERTH_CONFIG_FILE: '/nonexistent/berth-ctrl-c-test',
    // The host's own agent endpoints are not this test's to take.
    BERTH_INTROSPECTION_PORT: '0',
    BERTH_METADATA_PORT: '0',
    BERTH_LINK_LOCAL_ENDPOINT: 'false',
    ECS_ENABLE_TASK_CPU_MEM_LIMIT: 'false',
    ECS_DYNAMIC_HOST_PORT_RANGE: '53350-53399',
  };
  const upArgs = ['--port', String(port), '--data-dir', dataDir];

  const first = npmStartInTerminal(upArgs, env);
  t.teardown(() => first.child.kill('SIGKILL'));
  const url = await endpointOf(first);
  t.match(first.output(), /ensure-docker: starting dockerd/, 'the setup script had to start the engine');
  const dockerdPid = Number(readFileSync(layout.pidfile, 'utf8'));
  const own = sessionOf(dockerdPid);
  t.not(own.session, sessionOf(first.child.pid!).session, 'dockerd runs in a session of its own');
  t.equal(own.session, dockerdPid, 'as its leader');
  t.equal(own.tty, 0, 'with no controlling terminal');

  const ecs = new ECSClient({ endpoint: url, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  t.teardown(() => ecs.destroy());
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'ctrl-c-web', containerDefinitions: [WEB_CONTAINER] }));
  const taskArn = (await ecs.send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'ctrl-c-web' }))).tasks![0]!.taskArn!;
  const describe = async (): Promise<Task | undefined> => (await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: [taskArn] }))).tasks?.[0];
  const running = await waitFor('task RUNNING', async () => ((await describe())?.lastStatus === 'RUNNING' ? describe() : undefined), 30_000);
  const containerId = running!.containers![0]!.runtimeId!;

  const code = await ctrlC(first);
  t.not(code, null, 'npm start ended by itself after Ctrl-C');
  t.match(first.output(), /stopping the agent and the emulator; task containers keep running/, 'berth stopped cleanly');
  t.notMatch(first.output(), /Error:|ERR!.*signal/, 'no crash');
  t.equal(dockerd.docker('version', '--format', '{{.Server.Version}}') !== '', true, 'dockerd still answers');
  t.equal(sessionOf(dockerdPid).session, dockerdPid, 'the same dockerd');
  t.equal(dockerd.docker('inspect', '-f', '{{.State.Running}}', containerId), 'true', 'the task container still runs');

  const second = npmStartInTerminal(upArgs, env);
  t.teardown(() => second.child.kill('SIGKILL'));
  await endpointOf(second);
  t.notMatch(second.output(), /ensure-docker: starting dockerd/, 'the engine was still there');
  const adopted = await describe();
  t.equal(adopted?.lastStatus, 'RUNNING', 'the task is RUNNING after the restart');
  t.equal(adopted?.containers?.[0]?.runtimeId, containerId, 'in the same container');
  const ofTask = dockerd.docker('ps', '-aq', '--no-trunc', '--filter', `label=com.amazonaws.ecs.task-arn=${taskArn}`).split('\n').filter(Boolean);
  t.same(ofTask, [containerId], 'and no duplicate was created');
  // Adopted, not merely left alone: the new agent drives the old container.
  await ecs.send(new StopTaskCommand({ cluster: 'default', task: taskArn }));
  const stopped = await waitFor('task STOPPED', async () => ((await describe())?.lastStatus === 'STOPPED' ? describe() : undefined), 30_000);
  t.equal(stopped?.containers?.[0]?.exitCode, 0, 'StopTask reaches it: exit 0 on SIGTERM');

  t.not(await ctrlC(second), null);
  t.equal(dockerd.docker('version', '--format', '{{.Server.Version}}') !== '', true, 'dockerd answers after the second Ctrl-C too');
});
