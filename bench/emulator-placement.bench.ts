/**
 * Placing 10,000 tasks over 1,000 container instances simulated in the emulator's database (no Docker, no
 * agents): instances are rows in SQLite with three availability zones and custom attributes.
 *
 *   pure placement    placeTasks() alone over capacities read once (spread zone + binpack memory + memberOf)
 *   placement + store capacities read from SQLite, placement, and 10,000 task rows written in one transaction
 *   baseline          the same pure placement with no strategy or constraint (fewest-tasks-first only)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { arnsFor } from '../src/emulator/ecs/arns.js';
import type { EmulatorContext } from '../src/emulator/ecs/context.js';
import { parseConstraints, parseStrategies } from '../src/emulator/ecs/scheduler/placement-input.js';
import { placeTasks } from '../src/emulator/ecs/scheduler/placement.js';
import { openStore } from '../src/emulator/ecs/store.js';
import { clusterCapacities, launchTasks } from '../src/emulator/ecs/tasks/launch.js';
import { silentLogger } from '../src/shared/log.js';
import type { BenchOutcome } from './stats.js';

export const name = 'emulator-placement';
const INSTANCES = 1000;
const TASKS = 10_000;
const TARGET_MS = 1000;
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

const strategies = parseStrategies([{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }]);
const constraints = parseConstraints([{ type: 'memberOf', expression: 'attribute:stack == prod and attribute:ecs.os-type == linux' }]);
const demand = { cpu: 128, memory: 256, tcpPorts: [], udpPorts: [] };

export async function run(): Promise<BenchOutcome> {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-bench-place-'));
  const store = openStore(dir);
  const arns = arnsFor('us-east-1', '000000000000');
  const ctx: EmulatorContext = {
    store,
    arns,
    log: silentLogger(),
    delivery: { isConnected: () => true, deliver: () => undefined },
    services: { changed: () => undefined },
    now: () => Date.now(),
  };
  try {
    store.transaction(() => {
      store.putCluster({ name: 'bench', arn: arns.cluster('bench'), createdAt: 0, tags: [], status: 'ACTIVE' });
      for (let i = 0; i < INSTANCES; i++) {
        store.putInstance({
          arn: arns.containerInstance('bench'),
          cluster: 'bench',
          ec2InstanceId: `i-${i}`,
          status: 'ACTIVE',
          attributes: [
            { name: 'ecs.availability-zone', value: ZONES[i % 3]! },
            { name: 'ecs.os-type', value: 'linux' },
            { name: 'stack', value: i % 10 === 0 ? 'dev' : 'prod' },
          ],
          // Uneven sizes so binpack has something to choose.
          registeredResources: [
            { name: 'CPU', type: 'INTEGER', integerValue: 4096 },
            { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 + (i % 7) * 1024 },
          ],
          versionInfo: {},
          registeredAt: 0,
          tags: [],
        });
      }
      store.putTaskDefinition({
        arn: arns.taskDefinition('bench', 1),
        family: 'bench',
        revision: 1,
        status: 'ACTIVE',
        registeredAt: 0,
        body: { family: 'bench', containerDefinitions: [{ name: 'app', image: 'busybox', cpu: 128, memory: 256 }] },
      });
    });
    const caps = clusterCapacities(ctx, 'bench');

    let t0 = performance.now();
    const baseline = placeTasks({ count: TASKS, demand, group: 'g' }, caps);
    const baselineMs = performance.now() - t0;

    t0 = performance.now();
    const pure = placeTasks({ count: TASKS, demand, group: 'g', strategies, constraints }, caps);
    const pureMs = performance.now() - t0;

    const td = store.getTaskDefinition('bench', 1)!;
    const cluster = store.getCluster('bench')!;
    t0 = performance.now();
    const launched = store.transaction(() => launchTasks(ctx, { cluster, td, count: TASKS, group: 'g', strategies, constraints }));
    const storeMs = performance.now() - t0;

    const perZone = ZONES.map((z) => pure.assignments.filter((a) => caps.find((c) => c.arn === a)?.attributes?.get('ecs.availability-zone') === z).length);
    const r = (n: number): number => Math.round(n * 10) / 10;
    return {
      rows: [
        { measure: 'pure placement, no strategy (baseline)', tasks: baseline.assignments.length, instances: INSTANCES, ms: r(baselineMs) },
        { measure: `pure placement: spread zone + binpack memory + memberOf (target < ${TARGET_MS} ms)`, tasks: pure.assignments.length, instances: INSTANCES, ms: r(pureMs) },
        { measure: 'placement + capacities from SQLite + 10,000 task rows written', tasks: launched.tasks.length, instances: INSTANCES, ms: r(storeMs) },
      ],
      result: {
        description: `${TASKS} tasks over ${INSTANCES} instances simulated in SQLite (no Docker)`,
        baselineNoStrategyMs: r(baselineMs),
        pureMs: r(pureMs),
        withStoreMs: r(storeMs),
        placed: pure.assignments.length,
        failures: pure.failures.length,
        tasksPerZone: perZone,
        targetMs: TARGET_MS,
        meetsTarget: pureMs < TARGET_MS,
      },
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
