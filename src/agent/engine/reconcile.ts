/**
 * Restart reconciliation (spec §1.4 step 14) and the periodic relist beside the event stream.
 *
 * At startup the engine lists every container labelled with this agent's cluster and compares it with the
 * store. Several agents may share one Docker engine (and even one cluster name), so only containers whose
 * task ARN label names a task in THIS agent's store are ever touched:
 *   - the saved container of a task container (same Docker ID, or the saved name when the crash came
 *     between saving the name and learning the ID) is adopted: its ID is filled in, the actor inspects it;
 *   - any other container labelled with the same task ARN and container name is a half-made leftover of a
 *     crash (a lost write, a create that was retried under a new name) and is removed, so that there is never
 *     a second container for one task container;
 *   - containers of tasks this store does not know are left alone: they belong to another agent.
 * A saved container that Docker no longer has is found by the actor's own reconcile (inspect -> 404) and
 * becomes STOPPED with ContainerVanishedError.
 */
import type { Logger } from '../../shared/log.js';
import type { ContainerRuntime, ContainerSummary } from '../runtime/runtime.js';
import { LABEL_CLUSTER, LABEL_CONTAINER_NAME, LABEL_TASK_ARN } from '../model/labels.js';
import type { TaskRecord } from '../model/task.js';
import { realClock, type TimerHandle } from '../../shared/clock.js';

export interface AdoptionPlan {
  /** [task ARN, container name, Docker ID] of saved containers whose ID the store did not have yet. */
  adopt: { taskArn: string; container: string; dockerId: string }[];
  /** Docker IDs of half-made duplicates of this agent's task containers. */
  remove: ContainerSummary[];
  /** Labelled containers of tasks this agent does not know (another agent's): never touched. */
  foreign: number;
}

/** Pure: what to do with the labelled containers `found`, given this agent's saved tasks. */
export function planAdoption(records: readonly TaskRecord[], found: readonly ContainerSummary[]): AdoptionPlan {
  const plan: AdoptionPlan = { adopt: [], remove: [], foreign: 0 };
  const byArn = new Map(records.map((r) => [r.spec.arn, r]));
  for (const c of found) {
    const arn = c.labels[LABEL_TASK_ARN];
    const record = arn === undefined ? undefined : byArn.get(arn);
    if (!record || arn === undefined) {
      plan.foreign++;
      continue;
    }
    const saved = record.state.containers.find((s) => s.name === c.labels[LABEL_CONTAINER_NAME]);
    if (!saved) continue; // not a task container berth tracks by name (e.g. an internal one): leave it
    if (saved.dockerId === c.id) continue;
    if (saved.dockerId === undefined && saved.dockerName === c.name) {
      plan.adopt.push({ taskArn: arn, container: saved.name, dockerId: c.id });
      continue;
    }
    plan.remove.push(c);
  }
  return plan;
}

/** Applies the plan to the records (in place) and to Docker. Listing failures leave reconciliation to the actors. */
export async function reconcileWithDocker(opts: {
  runtime: ContainerRuntime;
  cluster: string;
  records: TaskRecord[];
  signal: AbortSignal;
  log: Logger;
}): Promise<AdoptionPlan | undefined> {
  const { runtime, log } = opts;
  if (!runtime.listContainers) return undefined;
  let found: ContainerSummary[];
  try {
    found = await runtime.listContainers({ [LABEL_CLUSTER]: opts.cluster }, opts.signal);
  } catch (err) {
    log.warn({ err }, 'cannot list containers for reconciliation; relying on saved IDs and names');
    return undefined;
  }
  const plan = planAdoption(opts.records, found);
  for (const a of plan.adopt) {
    const c = opts.records.find((r) => r.spec.arn === a.taskArn)?.state.containers.find((x) => x.name === a.container);
    if (c) c.dockerId = a.dockerId;
    log.info({ taskArn: a.taskArn, container: a.container, dockerId: a.dockerId }, 'adopted a container created before a restart');
  }
  for (const c of plan.remove) {
    log.warn({ taskArn: c.labels[LABEL_TASK_ARN], dockerId: c.id, name: c.name }, 'removing a half-made duplicate container');
    try {
      await runtime.removeContainer(c.id, opts.signal);
    } catch (err) {
      log.warn({ err, dockerId: c.id }, 'cannot remove a half-made container; the next start tries again');
    }
  }
  log.info({ tasks: opts.records.length, containers: found.length, adopted: plan.adopt.length, removed: plan.remove.length, foreign: plan.foreign }, 'reconciled with docker');
  return plan;
}

/** Every `intervalMs`, asks each task to look at its containers again: catches what the event stream missed. */
export class Relister {
  private timer: TimerHandle | undefined;

  constructor(private readonly opts: { intervalMs: number; relist: () => void }) {}

  start(): void {
    this.timer ??= realClock.setInterval(() => this.opts.relist(), this.opts.intervalMs);
  }

  close(): void {
    realClock.clearInterval(this.timer);
    this.timer = undefined;
  }
}
