/** Helpers for the metadata and credentials end-to-end tests: run a task, exec inside its container. */
import { execFile, spawnSync } from 'node:child_process';
import { DescribeTasksCommand, RunTaskCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { containersOfTask, waitFor } from './harness.js';

export async function runUntilRunning(ecs: ECSClient, cluster: string, taskDefinition: string): Promise<{ taskArn: string; dockerId: string; task: Task }> {
  const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition }));
  const taskArn = run.tasks?.[0]?.taskArn;
  if (!taskArn) throw new Error(`RunTask returned no task: ${JSON.stringify(run.failures)}`);
  const task = await waitFor('task RUNNING', async () => {
    const t = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0];
    return t?.lastStatus === 'RUNNING' ? t : undefined;
  }, 20_000);
  const [dockerId] = containersOfTask(taskArn);
  if (!dockerId) throw new Error('no container for the task');
  return { taskArn, dockerId, task };
}

export async function waitStopped(ecs: ECSClient, cluster: string, taskArn: string): Promise<Task> {
  return waitFor('task STOPPED', async () => {
    const t = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0];
    return t?.lastStatus === 'STOPPED' ? t : undefined;
  }, 20_000);
}

/**
 * Runs a shell line inside the container (its own environment, its own network namespace). Asynchronous on
 * purpose: the agent under test serves the container's requests from this very process.
 * (busybox wget gets no -T: this static build crashes with it; the exec is bounded instead.)
 */
export function inContainer(dockerId: string, script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('docker', ['exec', dockerId, 'sh', '-c', script], { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** GETs a URL from inside the container with busybox wget and parses the JSON it returns. */
export async function fetchJsonInContainer(dockerId: string, urlExpr: string): Promise<unknown> {
  // Under load `docker exec` has been seen to end with status 0 and no output at all (never a valid answer: the
  // endpoints always send a JSON body); ask again a couple of times before failing.
  for (let attempt = 1; ; attempt++) {
    const r = await inContainer(dockerId, `wget -q -O - "${urlExpr}"`);
    if (r.code !== 0) throw new Error(`wget ${urlExpr} failed (${r.code}): ${r.stderr}`);
    if (r.stdout.trim() !== '' || attempt >= 3) return JSON.parse(r.stdout);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

export async function containerEnv(dockerId: string, name: string): Promise<string> {
  return (await inContainer(dockerId, `printf %s "$${name}"`)).stdout;
}

export function containerIp(dockerId: string): string {
  return spawnSync('docker', ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', dockerId], { encoding: 'utf8' }).stdout.trim();
}

/** A busybox container that idles until SIGTERM (exit 0). */
export const IDLE_CONTAINER = {
  name: 'app',
  image: 'berth/busybox:latest',
  essential: true,
  memory: 64,
  cpu: 10,
  command: ['sh', '-c', 'trap "exit 0" TERM; sleep 600 & wait'],
  portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' as const }],
};
