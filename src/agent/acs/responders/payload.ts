/**
 * PayloadMessage (spec §4.1-§4.2): every task goes to the engine (desired STOPPED first, so a start never
 * overtakes a stop), persisted before the ack; credentials embedded in tasks are stored and acked first.
 * Duplicates are idempotent and acked again; latestSeqNum = max(latestSeqNum, seqNum), persisted.
 * No AckRequest when messageId is empty or a task fails to parse; such a task is reported STOPPED with
 * `UnrecogniedTaskError: Error loading task - <why>` [sic].
 */
import type { AcsTask, PayloadMessage } from '../../../shared/protocol/acs.js';
import { errorMessage } from '../../../shared/errors.js';
import { parseTaskSpec } from '../../engine/parse-task.js';
import { credentialsEnvironment } from '../../credentials/store.js';
import type { ResponderContext } from './context.js';

function stoppedFirst(tasks: AcsTask[]): AcsTask[] {
  const stopping = (t: AcsTask): boolean => t.desiredStatus === 'STOPPED' || t.desiredStatus === 'DEAD';
  return [...tasks.filter(stopping), ...tasks.filter((t) => !stopping(t))];
}

function reportUnrecognized(task: AcsTask, err: unknown, ctx: ResponderContext): void {
  if (!task.arn) return;
  ctx.reporter.submit({
    taskArn: task.arn,
    status: 'STOPPED',
    containers: [],
    input: {
      cluster: ctx.cluster,
      task: task.arn,
      status: 'STOPPED',
      reason: `UnrecogniedTaskError: Error loading task - ${errorMessage(err)}`.slice(0, 1024),
      containers: [],
    },
  });
}

export function respondToPayload(msg: PayloadMessage, ctx: ResponderContext): void {
  let allAccepted = true;
  for (const task of stoppedFirst(msg.tasks ?? [])) {
    let spec: ReturnType<typeof parseTaskSpec>;
    try {
      spec = parseTaskSpec(task);
      for (const c of spec.containers) Object.assign(c.environment, credentialsEnvironment(task));
    } catch (err) {
      allAccepted = false;
      ctx.log.warn({ taskArn: task.arn, err }, 'task in payload could not be loaded');
      reportUnrecognized(task, err, ctx);
      continue;
    }
    try {
      // Known ARN (duplicate or update): only a raised desired status counts; the duplicate is acked again.
      ctx.engine.addTask(spec, task.desiredStatus);
    } catch (err) {
      // Not saved, so not acked: the control plane re-sends it.
      allAccepted = false;
      ctx.log.error({ taskArn: task.arn, err }, 'task in payload could not be saved');
      continue;
    }
    for (const [roleType, creds] of [['TaskApplication', task.roleCredentials], ['TaskExecution', task.executionRoleCredentials]] as const) {
      if (!creds?.credentialsId || !task.arn) continue;
      ctx.credentials.put({ taskArn: task.arn, roleType, credentials: creds });
      if (msg.messageId) {
        ctx.send('IAMRoleCredentialsAckRequest', { messageId: msg.messageId, expiration: creds.expiration ?? '', credentialsId: creds.credentialsId });
      }
    }
  }
  ctx.manifest.noteSeqNum(msg.seqNum);
  if (!msg.messageId || !allAccepted) return;
  ctx.send('AckRequest', { cluster: ctx.cluster, containerInstance: ctx.containerInstanceArn, messageId: msg.messageId });
}
