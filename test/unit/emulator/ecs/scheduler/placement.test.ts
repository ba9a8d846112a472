import t from 'tap';
import {
  NO_INSTANCES,
  placeTasks,
  seededRandom,
  type InstanceCapacity,
  type PlacementRequest,
} from '../../../../../src/emulator/ecs/scheduler/placement.js';
import { taskDemand } from '../../../../../src/emulator/ecs/scheduler/demand.js';
import { parseConstraints, parseStrategies } from '../../../../../src/emulator/ecs/scheduler/placement-input.js';
import { EcsError } from '../../../../../src/emulator/ecs/errors.js';

const instance = (arn: string, over: Partial<InstanceCapacity> = {}): InstanceCapacity => ({
  arn,
  active: true,
  connected: true,
  cpu: 2048,
  memory: 1024,
  tcpPortsInUse: new Set([22]),
  udpPortsInUse: new Set(),
  taskCount: 0,
  ...over,
});
const demand = (over: Partial<ReturnType<typeof taskDemand>> = {}) => ({ cpu: 0, memory: 256, tcpPorts: [], udpPorts: [], ...over });
const req = (count: number, over: Partial<PlacementRequest> = {}): PlacementRequest => ({ count, demand: demand(), ...over });
const zone = (z: string, extra: Record<string, string> = {}) =>
  new Map<string, string | undefined>([['ecs.availability-zone', z], ...Object.entries(extra)]);
const tally = (arns: string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const a of arns) out[a] = (out[a] ?? 0) + 1;
  return out;
};
const strategies = (...s: { type: string; field?: string }[]) => parseStrategies(s);
const constraints = (...c: { type: string; expression?: string }[]) => parseConstraints(c);

t.test('without a strategy tasks go to the instance holding the fewest tasks', async (t) => {
  const r = placeTasks(req(4), [instance('a'), instance('b', { taskCount: 1 })]);
  t.same(r.failures, []);
  t.equal(r.assignments[0], 'a', 'the emptier instance goes first');
  t.same(tally(r.assignments), { a: 3, b: 1 }, 'counts end up balanced (3 on a, 1+1 on b)');
});

t.test('tasks that do not fit are reported once per instance and reason', async (t) => {
  const r = placeTasks(req(3, { demand: demand({ memory: 400 }) }), [instance('a')]);
  t.same(r.assignments, ['a', 'a']);
  t.same(r.failures, [{ arn: 'a', reason: 'RESOURCE:MEMORY' }]);
});

t.test('cpu, tcp and udp port shortages have their own reasons', async (t) => {
  t.same(placeTasks(req(1, { demand: demand({ cpu: 4096 }) }), [instance('a')]).failures, [{ arn: 'a', reason: 'RESOURCE:CPU' }]);
  t.same(placeTasks(req(1, { demand: demand({ tcpPorts: [22] }) }), [instance('a')]).failures, [{ arn: 'a', reason: 'RESOURCE:PORTS' }]);
  const udp = placeTasks(req(2, { demand: demand({ udpPorts: [53] }) }), [instance('a')]);
  t.same(udp.assignments, ['a']);
  t.same(udp.failures, [{ arn: 'a', reason: 'RESOURCE:PORTS_UDP' }]);
});

t.test('a disconnected agent is not a candidate and an empty cluster says so', async (t) => {
  t.same(placeTasks(req(1), [instance('a', { connected: false })]).failures, [{ arn: 'a', reason: 'AGENT' }]);
  t.same(placeTasks(req(2), []).failures, [{ reason: NO_INSTANCES }]);
  t.same(placeTasks(req(1), [instance('a', { active: false })]).failures, [{ reason: NO_INSTANCES }], 'DRAINING instances take no tasks');
});

t.test('the input instances are not modified', async (t) => {
  const a = instance('a');
  placeTasks(req(2, { demand: demand({ tcpPorts: [80] }) }), [a]);
  t.equal(a.memory, 1024);
  t.same([...a.tcpPortsInUse], [22]);
});

t.test('binpack memory fills the instance with the least memory left first', async (t) => {
  const r = placeTasks(req(3, { strategies: strategies({ type: 'binpack', field: 'memory' }) }), [
    instance('big', { memory: 2048 }),
    instance('small', { memory: 600 }),
  ]);
  t.same(r.assignments, ['small', 'small', 'big'], 'small takes 2 x 256, then only big fits');
});

t.test('binpack cpu packs by remaining cpu units', async (t) => {
  const r = placeTasks(req(3, { demand: demand({ cpu: 512, memory: 0 }), strategies: strategies({ type: 'binpack', field: 'cpu' }) }), [
    instance('a', { cpu: 4096 }),
    instance('b', { cpu: 1024 }),
  ]);
  t.same(r.assignments, ['b', 'b', 'a']);
});

t.test('spread instanceId balances the group over instances and ignores other groups', async (t) => {
  const r = placeTasks(req(4, { group: 'service:web', strategies: strategies({ type: 'spread', field: 'instanceId' }) }), [
    instance('a', { taskCount: 5, taskGroups: new Map([['service:other', 5]]) }),
    instance('b', { taskGroups: new Map([['service:web', 1]]), taskCount: 1 }),
  ]);
  t.same(tally(r.assignments), { a: 3, b: 1 }, 'a has none of the group, so it catches up first');
  t.equal(r.assignments[0], 'a');
});

t.test('spread on ecs.availability-zone balances zones, then anything within a zone', async (t) => {
  const r = placeTasks(req(6, { group: 'g', strategies: strategies({ type: 'spread', field: 'attribute:ecs.availability-zone' }) }), [
    instance('a1', { attributes: zone('us-east-1a') }),
    instance('a2', { attributes: zone('us-east-1a') }),
    instance('b1', { attributes: zone('us-east-1b') }),
  ]);
  const perZone = tally(r.assignments.map((a) => (a.startsWith('a') ? 'A' : 'B')));
  t.same(perZone, { A: 3, B: 3 }, 'zones end up even although zone A has two instances');
});

t.test('spread on any attribute counts tasks already in each value', async (t) => {
  const r = placeTasks(req(2, { group: 'g', strategies: strategies({ type: 'spread', field: 'attribute:rack' }) }), [
    instance('r1', { attributes: new Map([['rack', '1']]), taskGroups: new Map([['g', 2]]) }),
    instance('r2', { attributes: new Map([['rack', '2']]) }),
  ]);
  t.same(r.assignments, ['r2', 'r2']);
});

t.test('random is repeatable with a seed and uses every candidate over many tasks', async (t) => {
  const insts = ['a', 'b', 'c', 'd'].map((x) => instance(x, { memory: 100_000 }));
  const run = (seed: number) => placeTasks(req(40, { strategies: strategies({ type: 'random' }), random: seededRandom(seed) }), insts).assignments;
  t.same(run(7), run(7), 'same seed, same placement');
  t.not(run(7).join(), run(8).join(), 'another seed, another placement');
  t.same(Object.keys(tally(run(7))).sort(), ['a', 'b', 'c', 'd']);
});

t.test('strategies combine in order: spread zones, then binpack memory within the zone', async (t) => {
  const r = placeTasks(
    req(2, {
      group: 'g',
      strategies: strategies({ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }),
    }),
    [
      instance('a-big', { attributes: zone('a'), memory: 4096 }),
      instance('a-small', { attributes: zone('a'), memory: 512 }),
      instance('b-big', { attributes: zone('b'), memory: 4096 }),
      instance('b-small', { attributes: zone('b'), memory: 1024 }),
    ],
  );
  t.same(r.assignments, ['a-small', 'b-small'], 'one per zone, each on the fullest instance of its zone');
});

t.test('binpack then random: random only breaks ties', async (t) => {
  const r = placeTasks(
    req(1, { strategies: strategies({ type: 'binpack', field: 'memory' }, { type: 'random' }), random: seededRandom(1) }),
    [instance('x', { memory: 4096 }), instance('y', { memory: 512 }), instance('z', { memory: 512 })],
  );
  t.ok(['y', 'z'].includes(r.assignments[0]!));
});

t.test('distinctInstance puts each task of the group on its own instance', async (t) => {
  const r = placeTasks(req(3, { group: 'g', constraints: constraints({ type: 'distinctInstance' }) }), [instance('a'), instance('b')]);
  t.same([...r.assignments].sort(), ['a', 'b']);
  t.same(r.failures, [{ arn: 'a', reason: 'DISTINCT_INSTANCE' }, { arn: 'b', reason: 'DISTINCT_INSTANCE' }]);
  const busy = placeTasks(req(1, { group: 'g', constraints: constraints({ type: 'distinctInstance' }) }), [
    instance('a', { taskGroups: new Map([['g', 1]]), taskCount: 1 }),
    instance('b', { taskGroups: new Map([['other', 3]]), taskCount: 3 }),
  ]);
  t.same(busy.assignments, ['b'], 'tasks of other groups do not count');
});

t.test('memberOf keeps only instances matching the expression', async (t) => {
  const insts = [
    instance('small', { attributes: new Map([['ecs.instance-type', 't2.small']]) }),
    instance('large', { attributes: new Map([['ecs.instance-type', 'm5.large']]) }),
  ];
  const r = placeTasks(req(2, { constraints: constraints({ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t2.*' }) }), insts);
  t.same(r.assignments, ['small', 'small']);
  const none = placeTasks(req(1, { constraints: constraints({ type: 'memberOf', expression: 'attribute:ecs.instance-type == c5.xlarge' }) }), insts);
  t.same(none.failures, [{ arn: 'small', reason: 'ATTRIBUTE' }, { arn: 'large', reason: 'ATTRIBUTE' }]);
  const byId = placeTasks(req(1, { constraints: constraints({ type: 'memberOf', expression: 'ec2InstanceId == i-2' }) }), [
    instance('x', { ec2InstanceId: 'i-1' }),
    instance('y', { ec2InstanceId: 'i-2' }),
  ]);
  t.same(byId.assignments, ['y']);
});

t.test('memberOf on task:group sees tasks placed earlier in the same call', async (t) => {
  // Keep web away from instances with a db task; db tasks placed now count.
  const r = placeTasks(
    req(2, { group: 'service:web', constraints: constraints({ type: 'memberOf', expression: 'not(task:group == service:db)' }) }),
    [instance('a', { taskGroups: new Map([['service:db', 1]]), taskCount: 1 }), instance('b')],
  );
  t.same(r.assignments, ['b', 'b']);
  const colocate = placeTasks(
    req(2, { group: 'g', constraints: constraints({ type: 'memberOf', expression: 'task:group == g or runningTasksCount == 0' }) }),
    [instance('a', { runningTasksCount: 3, taskCount: 3 }), instance('b', { taskCount: 5 })],
  );
  t.same(colocate.assignments, ['b', 'b'], 'b has no running tasks; the second task follows the first of its group');
});

t.test('constraints and strategies combine: memberOf zone + distinctInstance + binpack', async (t) => {
  const r = placeTasks(
    req(3, {
      group: 'g',
      constraints: constraints({ type: 'memberOf', expression: 'attribute:ecs.availability-zone in [a, b]' }, { type: 'distinctInstance' }),
      strategies: strategies({ type: 'binpack', field: 'memory' }),
    }),
    [
      instance('a1', { attributes: zone('a'), memory: 2048 }),
      instance('a2', { attributes: zone('a'), memory: 512 }),
      instance('c1', { attributes: zone('c'), memory: 300 }),
      instance('b1', { attributes: zone('b'), memory: 1024 }),
    ],
  );
  t.same(r.assignments, ['a2', 'b1', 'a1'], 'fullest first, never twice on one instance, never in zone c');
});

t.test('placement input is validated with InvalidParameterException messages', async (t) => {
  const bad: [() => unknown, RegExp][] = [
    [() => parseStrategies([{ type: 'binpack', field: 'disk' }]), /binpack placement strategy field must be cpu or memory/],
    [() => parseStrategies([{ type: 'spread' }]), /requires a field/],
    [() => parseStrategies([{ type: 'spread', field: 'zone' }]), /Invalid spread field/],
    [() => parseStrategies([{ type: 'pack' }]), /Invalid placement strategy type/],
    [() => parseStrategies(Array.from({ length: 6 }, () => ({ type: 'random' }))), /more than 5/],
    [() => parseConstraints([{ type: 'memberOf' }]), /requires an expression/],
    [() => parseConstraints([{ type: 'memberOf', expression: 'attribute:x ==' }]), /Invalid expression 'attribute:x ==': expected a value/],
    [() => parseConstraints([{ type: 'distinctInstance', expression: 'x' }]), /does not take an expression/],
    [() => parseConstraints([{ type: 'unique' }]), /Invalid placement constraint type/],
  ];
  for (const [fn, re] of bad) {
    t.throws(fn, re);
    try {
      fn();
    } catch (err) {
      t.equal((err as EcsError).type, 'InvalidParameterException');
    }
  }
  t.same(parseStrategies([{ type: 'binpack', field: 'MEMORY' }]), [{ type: 'binpack', field: 'memory' }]);
});

t.test('task demand prefers task-level cpu and memory and collects static host ports', async (t) => {
  const body = {
    networkMode: 'bridge',
    containerDefinitions: [
      { name: 'a', cpu: 128, memory: 100, portMappings: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81, hostPort: 0 }] },
      { name: 'b', memoryReservation: 50, portMappings: [{ containerPort: 53, hostPort: 53, protocol: 'udp' }] },
    ],
  };
  t.same(taskDemand(body), { cpu: 128, memory: 150, tcpPorts: [8080], udpPorts: [53] });
  t.same(taskDemand({ ...body, cpu: '1 vCPU', memory: '512' }).cpu, 1024);
  t.same(taskDemand({ ...body, cpu: '256', memory: '1 GB' }).memory, 1024);
  t.same(taskDemand({ ...body, networkMode: 'awsvpc' }).tcpPorts, [], 'awsvpc ports never conflict on the host');
  t.same(taskDemand(body, [{ name: 'a', memory: 300 }]).memory, 350, 'overrides count');
  const host = taskDemand({ networkMode: 'host', containerDefinitions: [{ name: 'h', portMappings: [{ containerPort: 9000 }] }] });
  t.same(host.tcpPorts, [9000], 'host mode uses the container port');
});
