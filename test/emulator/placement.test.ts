import t from 'tap';
import { NO_INSTANCES, placeTasks, type InstanceCapacity } from '../../src/emulator/scheduler/placement.js';
import { taskDemand } from '../../src/emulator/scheduler/demand.js';

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

t.test('tasks are spread across instances that fit', async (t) => {
  const r = placeTasks(4, demand(), [instance('a'), instance('b', { taskCount: 1 })]);
  t.same(r.failures, []);
  t.equal(r.assignments[0], 'a', 'the emptier instance goes first');
  t.same([...r.assignments].sort(), ['a', 'a', 'a', 'b'], 'counts end up balanced (3 on a, 1+1 on b)');
});

t.test('tasks that do not fit are reported once per instance and reason', async (t) => {
  const r = placeTasks(3, demand({ memory: 400 }), [instance('a')]);
  t.same(r.assignments, ['a', 'a']);
  t.same(r.failures, [{ arn: 'a', reason: 'RESOURCE:MEMORY' }]);
});

t.test('cpu, tcp and udp port shortages have their own reasons', async (t) => {
  t.same(placeTasks(1, demand({ cpu: 4096 }), [instance('a')]).failures, [{ arn: 'a', reason: 'RESOURCE:CPU' }]);
  t.same(placeTasks(1, demand({ tcpPorts: [22] }), [instance('a')]).failures, [{ arn: 'a', reason: 'RESOURCE:PORTS' }]);
  const udp = placeTasks(2, demand({ udpPorts: [53] }), [instance('a')]);
  t.same(udp.assignments, ['a']);
  t.same(udp.failures, [{ arn: 'a', reason: 'RESOURCE:PORTS_UDP' }]);
});

t.test('a disconnected agent is not a candidate and an empty cluster says so', async (t) => {
  t.same(placeTasks(1, demand(), [instance('a', { connected: false })]).failures, [{ arn: 'a', reason: 'AGENT' }]);
  t.same(placeTasks(2, demand(), []).failures, [{ reason: NO_INSTANCES }]);
  t.same(placeTasks(1, demand(), [instance('a', { active: false })]).failures, [{ reason: NO_INSTANCES }]);
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
