/**
 * `berth logs <task-arn|task-id> [--container NAME] [--follow]`: a task's log lines, like `aws logs tail`.
 * It asks the ECS endpoint (berth up's by default) for the task and its definition, then reads each container
 * from where it logs (task-logs.ts): CloudWatch Logs for awslogs, Docker for json-file and its kin. With
 * --follow it keeps reading until the task has stopped and nothing more arrives.
 */
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, type Task } from '@aws-sdk/client-ecs';
import { callAwsJson } from '../agent/api/aws-json.js';
import { DockerRuntime } from '../agent/runtime/docker.js';
import { LOCAL_CREDENTIALS } from '../up/index.js';
import { realClock, sleep } from '../shared/clock.js';
import { COMMON_OPTIONS, parseCommandLine } from './args.js';
import { EXIT, UsageError, type CliIo } from './io.js';
import { shutdownSignal } from './signals.js';
import { logSourceFor, parseTaskRef, type LogSource } from './task-logs.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  cluster: { type: 'string', default: 'default' },
  container: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
} as const;

const FOLLOW_POLL_MS = 1000;
/** After the task stopped: done once a read finds nothing new this long after, and at the latest after the other. */
const STOPPED_QUIET_MS = 2000;
const STOPPED_GIVE_UP_MS = 15_000;

/** A failed CloudWatch Logs call: its error type and message (never a response body). */
class LogsReadError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly retriable: boolean,
  ) {
    super(`CloudWatch Logs ${type}: ${message}`);
  }
}

interface Context {
  io: CliIo;
  endpoint: string;
  logsEndpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  signal: AbortSignal;
  /** Prefix each line with its container's name (more than one container shown). */
  label: boolean;
  /** Lines printed so far. */
  printed: number;
}

function write(ctx: Context, container: string, text: string): void {
  if (text === '') return;
  ctx.printed += 1;
  ctx.io.stdout.write(ctx.label ? `${container} | ${text}\n` : `${text}\n`);
}

/** Reads a CloudWatch Logs stream from its head; returns the forward token to continue from. */
async function readStream(ctx: Context, source: Extract<LogSource, { kind: 'cloudwatch' }>, token: string | undefined): Promise<string | undefined> {
  for (;;) {
    const body: Record<string, unknown> = { logGroupName: source.group, logStreamName: source.stream, ...(token ? { nextToken: token } : { startFromHead: true }) };
    let out: Record<string, unknown>;
    try {
      out = await callAwsJson({
        service: 'logs', label: 'CloudWatch Logs', target: 'Logs_20140328.GetLogEvents', endpoint: ctx.logsEndpoint,
        region: source.region ?? ctx.region, credentials: ctx.credentials, body, signal: ctx.signal,
        error: (type, message, retriable) => new LogsReadError(type, message, retriable),
      });
    } catch (err) {
      // The stream appears when the driver starts; until then there is nothing to read yet.
      if (err instanceof LogsReadError && err.type === 'ResourceNotFoundException') return token;
      throw err;
    }
    for (const e of (out['events'] as { message: string }[] | undefined) ?? []) write(ctx, source.container, e.message.replace(/\n$/, ''));
    const next = out['nextForwardToken'] as string | undefined;
    if (next === undefined || next === token) return token;
    token = next;
  }
}

async function readDocker(ctx: Context, source: Extract<LogSource, { kind: 'docker' }>, follow: boolean): Promise<void> {
  const runtime = new DockerRuntime({ dockerHost: ctx.io.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock' });
  const stream = await runtime.containerLogs(source.dockerId, { follow, signal: ctx.signal });
  let rest = '';
  for await (const chunk of stream) {
    const lines = (rest + String(chunk)).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) write(ctx, source.container, line);
  }
  write(ctx, source.container, rest);
}

async function describeTask(ecs: ECSClient, cluster: string, task: string): Promise<Task | undefined> {
  const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [task] }));
  return out.tasks?.[0];
}

export async function logsCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { flags, operands } = parseCommandLine('logs', args, OPTIONS);
  if (operands.length !== 1) throw new UsageError(operands.length === 0 ? 'name the task: berth logs <task-arn|task-id>' : `unexpected argument '${operands[1]}'`, 'logs');
  const ref = parseTaskRef(operands[0]!, flags.cluster);
  const endpoint = flags.endpoint ?? io.env['AWS_ENDPOINT_URL_ECS'] ?? io.env['AWS_ENDPOINT_URL'] ?? 'http://127.0.0.1:8800';
  const region = flags.region ?? io.env['AWS_REGION'] ?? io.env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
  const key = io.env['AWS_ACCESS_KEY_ID'];
  const secret = io.env['AWS_SECRET_ACCESS_KEY'];
  const credentials = key && secret ? { accessKeyId: key, secretAccessKey: secret, ...(io.env['AWS_SESSION_TOKEN'] ? { sessionToken: io.env['AWS_SESSION_TOKEN'] } : {}) } : LOCAL_CREDENTIALS;
  const abort = new AbortController();
  if (flags.follow) void shutdownSignal({ onRepeat: () => undefined }).then(() => abort.abort());

  const ecs = new ECSClient({ endpoint, region, credentials });
  try {
    let task = await describeTask(ecs, ref.cluster, ref.task);
    if (!task) {
      io.stderr.write(`berth logs: no task ${ref.task} in cluster ${ref.cluster} at ${endpoint}\n`);
      return EXIT.terminal;
    }
    const definition = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: task.taskDefinitionArn }))).taskDefinition;
    const sourcesOf = (t: Task): LogSource[] =>
      (definition?.containerDefinitions ?? [])
        .filter((d) => flags.container === undefined || d.name === flags.container)
        .map((d) => logSourceFor({ name: d.name ?? '', runtimeId: t.containers?.find((c) => c.name === d.name)?.runtimeId, logConfiguration: d.logConfiguration as never }, ref.taskId));
    let sources = sourcesOf(task);
    if (sources.length === 0) throw new UsageError(`task ${ref.taskId} has no container ${flags.container}`, 'logs');
    const ctx: Context = { io, endpoint, logsEndpoint: io.env['AWS_ENDPOINT_URL_LOGS'] ?? endpoint, region, credentials, signal: abort.signal, label: sources.length > 1, printed: 0 };
    for (const s of sources) if (s.kind === 'none') io.stderr.write(`berth logs: container ${s.container}: ${s.why}\n`);
    if (sources.every((s) => s.kind === 'none')) return EXIT.terminal;

    const tokens = new Map<string, string | undefined>();
    const readAll = async (follow: boolean): Promise<void> => {
      for (const s of sources) {
        if (s.kind === 'cloudwatch') tokens.set(s.container, await readStream(ctx, s, tokens.get(s.container)));
      }
      // Docker streams its own follow; several containers are read one after the other.
      for (const s of sources) if (s.kind === 'docker' && !tokens.has(s.container)) {
        tokens.set(s.container, 'docker');
        await readDocker(ctx, s, follow);
      }
    };
    await readAll(flags.follow === true);
    // Follow CloudWatch streams until the task has stopped and its last lines are in: Docker's driver sends its
    // final batch as the container stops, which can be a moment after ECS reports STOPPED.
    let stoppedAt: number | undefined;
    while (flags.follow && !abort.signal.aborted && sources.some((s) => s.kind === 'cloudwatch')) {
      // Nothing else holds the process while it waits for more lines.
      await sleep(FOLLOW_POLL_MS, abort.signal, realClock, { keepAlive: true }).catch(() => undefined);
      if (stoppedAt === undefined) {
        task = (await describeTask(ecs, ref.cluster, ref.task)) ?? task;
        sources = sourcesOf(task);
        if (task.lastStatus === 'STOPPED') stoppedAt = realClock.monotonic();
      }
      const before = ctx.printed;
      await readAll(false);
      const quietSince = stoppedAt === undefined ? 0 : realClock.monotonic() - stoppedAt;
      if (stoppedAt !== undefined && ((ctx.printed === before && quietSince >= STOPPED_QUIET_MS) || quietSince >= STOPPED_GIVE_UP_MS)) break;
    }
    return EXIT.ok;
  } finally {
    ecs.destroy();
  }
}
