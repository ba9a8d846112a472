import type { ResourceDemand } from '../records.js';
import { evaluate, type InstanceFacts } from './query/evaluate.js';
import { isDynamic, type Expr } from './query/parse.js';

/**
 * Pure placement: N copies of one task demand x the cluster's instances -> an instance per task, or the
 * reasons nothing fits. Per task, as ECS does it:
 *
 *   instances --(ACTIVE, agent connected, cpu/memory/ports fit)--> --(constraints)--> candidates
 *   candidates --(strategy 1 keeps its best)--> --(strategy 2 ...)--> first survivor
 *
 * Each strategy narrows the candidates to those it scores best (ties survive to the next strategy), so
 * strategies combine in order. With no strategy, the instance holding the fewest tasks wins.
 */
export interface InstanceCapacity {
  arn: string;
  active: boolean;
  connected: boolean;
  cpu: number;
  memory: number;
  tcpPortsInUse: ReadonlySet<number>;
  udpPortsInUse: ReadonlySet<number>;
  /** Tasks already on the instance (not STOPPED). */
  taskCount: number;
  ec2InstanceId?: string;
  registeredAt?: number;
  runningTasksCount?: number;
  agentVersion?: string;
  dockerVersion?: string;
  attributes?: ReadonlyMap<string, string | undefined>;
  /** Groups of the tasks on the instance (not STOPPED) -> count. */
  taskGroups?: ReadonlyMap<string, number>;
}

export type PlacementConstraint = { type: 'distinctInstance' } | { type: 'memberOf'; expression: Expr };
export type PlacementStrategy =
  | { type: 'binpack'; field: 'cpu' | 'memory' }
  /** field: `instanceId` (or `host`) or `attribute:<name>`. */
  | { type: 'spread'; field: string }
  | { type: 'random' };

export interface PlacementRequest {
  count: number;
  demand: ResourceDemand;
  /** The task group (spread and distinctInstance count tasks of this group; ECS: `family:x`, `service:x`). */
  group?: string;
  constraints?: readonly PlacementConstraint[];
  strategies?: readonly PlacementStrategy[];
  /** [0, 1) source for `random`; inject a seeded one for repeatable placement. */
  random?: () => number;
}

export interface PlacementFailure {
  arn?: string;
  reason: string;
}

export interface PlacementResult {
  /** Instance ARN per placed task, in task order. */
  assignments: string[];
  failures: PlacementFailure[];
}

export const NO_INSTANCES = 'No Container Instances were found in your cluster.';

/** Why `demand` does not fit `cap` right now, or undefined when it fits. Reasons as ECS reports them. */
export function rejectReason(cap: InstanceCapacity, demand: ResourceDemand): string | undefined {
  if (!cap.connected) return 'AGENT';
  if (demand.cpu > cap.cpu) return 'RESOURCE:CPU';
  if (demand.memory > cap.memory) return 'RESOURCE:MEMORY';
  if (hasConflict(demand.tcpPorts, cap.tcpPortsInUse)) return 'RESOURCE:PORTS';
  if (hasConflict(demand.udpPorts, cap.udpPortsInUse)) return 'RESOURCE:PORTS_UDP';
  return undefined;
}

function hasConflict(ports: readonly number[], inUse: ReadonlySet<number>): boolean {
  if (ports.length === 0) return false;
  const seen = new Set<number>();
  for (const p of ports) {
    if (inUse.has(p) || seen.has(p)) return true;
    seen.add(p);
  }
  return false;
}

/** Mulberry32: a tiny seedable PRNG so `random` placement can be replayed in tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EMPTY_ATTRS: ReadonlyMap<string, string | undefined> = new Map();
const EMPTY_GROUPS: ReadonlyMap<string, number> = new Map();

/** Mutable working copy of one instance; sets and maps are copied only when a task lands on it. */
interface Slot {
  cap: InstanceCapacity;
  facts: InstanceFacts;
  /** Tasks of the request's group on the instance. */
  groupCount: number;
  /** Static memberOf constraints hold (evaluated once). */
  staticOk: boolean;
  copied: boolean;
  /** Spread field -> this instance's value (attributes do not change during placement). */
  keys: Map<string, string>;
}

function slotFor(cap: InstanceCapacity, group: string | undefined, staticExprs: readonly Expr[]): Slot {
  const facts: InstanceFacts = {
    ec2InstanceId: cap.ec2InstanceId ?? cap.arn,
    registeredAt: cap.registeredAt ?? 0,
    runningTasksCount: cap.runningTasksCount ?? 0,
    agentConnected: cap.connected,
    agentVersion: cap.agentVersion,
    dockerVersion: cap.dockerVersion,
    attributes: cap.attributes ?? EMPTY_ATTRS,
    taskGroups: cap.taskGroups ?? EMPTY_GROUPS,
  };
  const groupCount = group === undefined ? cap.taskCount : (facts.taskGroups.get(group) ?? 0);
  return { cap, facts, groupCount, staticOk: staticExprs.every((e) => evaluate(e, facts)), copied: false, keys: new Map() };
}

function reserve(s: Slot, d: ResourceDemand, group: string | undefined): void {
  if (!s.copied) {
    s.cap = { ...s.cap, tcpPortsInUse: new Set(s.cap.tcpPortsInUse), udpPortsInUse: new Set(s.cap.udpPortsInUse) };
    s.facts = { ...s.facts, taskGroups: new Map(s.facts.taskGroups) };
    s.copied = true;
  }
  const cap = s.cap as InstanceCapacity & { tcpPortsInUse: Set<number>; udpPortsInUse: Set<number> };
  cap.cpu -= d.cpu;
  cap.memory -= d.memory;
  for (const p of d.tcpPorts) cap.tcpPortsInUse.add(p);
  for (const p of d.udpPorts) cap.udpPortsInUse.add(p);
  cap.taskCount += 1;
  s.groupCount += 1;
  if (group !== undefined) {
    const groups = s.facts.taskGroups as Map<string, number>;
    groups.set(group, (groups.get(group) ?? 0) + 1);
  }
}

function spreadKey(field: string, s: Slot): string {
  let k = s.keys.get(field);
  if (k === undefined) {
    const name = field.startsWith('attribute:') ? field.slice('attribute:'.length) : field;
    k = s.facts.attributes.get(name) ?? '';
    s.keys.set(field, k);
  }
  return k;
}

/**
 * The group's tasks per attribute value, over every instance (not only the candidates, so a zone whose
 * instances are full still counts as occupied). Built once per placement and kept current by `reserve`.
 */
type SpreadCounts = Map<string, Map<string, number>>;

function spreadCounts(strategies: readonly PlacementStrategy[], slots: readonly Slot[]): SpreadCounts {
  const out: SpreadCounts = new Map();
  for (const st of strategies) {
    if (st.type !== 'spread' || st.field === 'instanceId' || st.field === 'host' || out.has(st.field)) continue;
    const perValue = new Map<string, number>();
    for (const s of slots) {
      const k = spreadKey(st.field, s);
      perValue.set(k, (perValue.get(k) ?? 0) + s.groupCount);
    }
    out.set(st.field, perValue);
  }
  return out;
}

/** Narrows `candidates` to the ones `strategy` likes best. */
function narrow(strategy: PlacementStrategy, candidates: Slot[], counts: SpreadCounts, random: () => number): Slot[] {
  if (candidates.length <= 1) return candidates;
  switch (strategy.type) {
    case 'random':
      return [candidates[Math.floor(random() * candidates.length)]!];
    case 'binpack': {
      const field = strategy.field;
      return keepMin(candidates, (s) => s.cap[field]);
    }
    case 'spread': {
      if (strategy.field === 'instanceId' || strategy.field === 'host') return keepMin(candidates, (s) => s.groupCount);
      const perValue = counts.get(strategy.field)!;
      return keepMin(candidates, (s) => perValue.get(spreadKey(strategy.field, s)) ?? 0);
    }
  }
}

function keepMin(slots: Slot[], score: (s: Slot) => number): Slot[] {
  let best = Infinity;
  let out: Slot[] = [];
  for (const s of slots) {
    const v = score(s);
    if (v < best) {
      best = v;
      out = [s];
    } else if (v === best) out.push(s);
  }
  return out;
}

export function placeTasks(req: PlacementRequest, instances: readonly InstanceCapacity[]): PlacementResult {
  const constraints = req.constraints ?? [];
  const memberOf = constraints.flatMap((c) => (c.type === 'memberOf' ? [c.expression] : []));
  const staticExprs = memberOf.filter((e) => !isDynamic(e));
  const dynamicExprs = memberOf.filter(isDynamic);
  const distinct = constraints.some((c) => c.type === 'distinctInstance');
  const strategies = req.strategies ?? [];
  const random = req.random ?? Math.random;

  const slots = instances.filter((c) => c.active).map((c) => slotFor(c, req.group, staticExprs));
  if (slots.length === 0) return { assignments: [], failures: req.count > 0 ? [{ reason: NO_INSTANCES }] : [] };

  const counts = spreadCounts(strategies, slots);
  const assignments: string[] = [];
  for (let i = 0; i < req.count; i++) {
    let candidates: Slot[] = [];
    for (const s of slots) {
      if (fitReason(s, req.demand, distinct, dynamicExprs) === undefined) candidates.push(s);
    }
    if (candidates.length === 0) {
      // Nothing changes for the remaining tasks, so report one failure per instance and reason, as ECS does.
      const failures = slots.map((s) => ({ arn: s.cap.arn, reason: fitReason(s, req.demand, distinct, dynamicExprs)! }));
      return { assignments, failures };
    }
    for (const strategy of strategies) candidates = narrow(strategy, candidates, counts, random);
    if (strategies.length === 0) candidates = keepMin(candidates, (s) => s.cap.taskCount);
    const chosen = candidates[0]!;
    reserve(chosen, req.demand, req.group);
    for (const [field, perValue] of counts) {
      const k = spreadKey(field, chosen);
      perValue.set(k, (perValue.get(k) ?? 0) + 1);
    }
    assignments.push(chosen.cap.arn);
  }
  return { assignments, failures: [] };
}

function fitReason(s: Slot, demand: ResourceDemand, distinct: boolean, dynamicExprs: readonly Expr[]): string | undefined {
  const r = rejectReason(s.cap, demand);
  if (r) return r;
  if (!s.staticOk) return 'ATTRIBUTE';
  for (const e of dynamicExprs) if (!evaluate(e, s.facts)) return 'ATTRIBUTE';
  if (distinct && s.groupCount > 0) return 'DISTINCT_INSTANCE';
  return undefined;
}
