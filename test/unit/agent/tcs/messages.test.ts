import t from 'tap';
import { batch, containerMetric, healthRequests, instanceStatusRequest, metricsRequests } from '../../../../src/agent/tcs/messages.js';
import { deriveSample, foldWindow } from '../../../../src/agent/stats/collector.js';
import { hasHealthCheck, telemetryTasks } from '../../../../src/agent/tcs/source.js';
import { buildTcsUrl } from '../../../../src/agent/tcs/url.js';
import { encodeTcsFrame, parseTcsServerFrame } from '../../../../src/shared/protocol/tcs.js';
import type { TaskRecord } from '../../../../src/agent/model/task.js';
import { haveModels, loadModel, validateShape } from '../../../kit/models.js';

const ctx = (): { cluster: string; containerInstance: string; now: number; newId: () => string } => {
  let n = 0;
  return { cluster: 'tcs-c', containerInstance: 'arn:aws:ecs:us-east-1:0:container-instance/tcs-c/1', now: 1_795_310_771_657, newId: () => `id-${++n}` };
};

const net = { rxBytes: 100, rxPackets: 2, rxErrors: 0, rxDropped: 0, txBytes: 50, txPackets: 1, txErrors: 0, txDropped: 0 };
const sample = (at: number, cpuNs: number, prev?: ReturnType<typeof deriveSample>): ReturnType<typeof deriveSample> =>
  deriveSample('d', { at, cpuNs, memoryUsageBytes: 3 << 20, memoryInactiveFileBytes: 1 << 20, memoryLimitBytes: undefined, blkioReadBytes: 10, blkioWriteBytes: 20, networks: { eth0: { ...net, rxBytes: net.rxBytes + at } }, pids: 1 }, prev, undefined);

function metric(i: number): { taskArn: string; taskDefinitionFamily: string; taskDefinitionVersion: string; containerMetrics: ReturnType<typeof containerMetric>[] } {
  const a = sample(0, 0);
  const b = sample(1000, 5e8, a);
  return { taskArn: `arn:task/${i}`, taskDefinitionFamily: 'f', taskDefinitionVersion: '1', containerMetrics: [containerMetric('c', foldWindow([a, b]))] };
}

t.test('an idle instance sends one idle, fin metrics message without tasks, as in the transcript', async (t) => {
  const [m, ...rest] = metricsRequests(ctx(), []);
  t.same(rest, []);
  t.same(m, { metadata: { cluster: 'tcs-c', containerInstance: 'arn:aws:ecs:us-east-1:0:container-instance/tcs-c/1', messageId: 'id-1', idle: true, fin: true }, timestamp: 1795310771.657 });
});

t.test('23 tasks go out as 10 + 10 + 3 with fin only on the last message', async (t) => {
  const tasks = Array.from({ length: 23 }, (_, i) => metric(i)) as Parameters<typeof metricsRequests>[1];
  const msgs = metricsRequests(ctx(), tasks);
  t.same(msgs.map((m) => m.taskMetrics?.length), [10, 10, 3]);
  t.same(msgs.map((m) => m.metadata.fin), [false, false, true]);
  t.ok(msgs.every((m) => !m.metadata.idle));
  t.same(batch([1, 2, 3], 10, 2), [[1, 2], [3]], 'the byte limit splits too');
  t.equal(containerMetric('c', foldWindow([sample(0, 0)])), undefined, 'no metric before CPU has a delta');
});

t.test('metrics carry CPU percent of one core, memory MiB without cache, storage and network sets', async (t) => {
  const m = metric(1).containerMetrics[0]!;
  t.same(m.cpuStatsSet, { min: 50, max: 50, sampleCount: 1, sum: 50 });
  t.same(m.memoryStatsSet, { min: 2, max: 2, sampleCount: 2, sum: 4 });
  t.equal(m.networkStatsSet?.rxBytesPerSecond?.max, 1000, 'rx rate from the counter delta');
  t.equal(m.storageStatsSet?.writeSizeBytes.max, 20);
});

t.test('every message the agent builds conforms to tcs-api-2.json', { skip: !haveModels }, async (t) => {
  const model = loadModel('tcs-api-2.json');
  const metrics = metricsRequests(ctx(), [metric(1)] as Parameters<typeof metricsRequests>[1]);
  const health = healthRequests(ctx(), [{ taskArn: 'a', taskDefinitionFamily: 'f', taskDefinitionVersion: '1', containers: [{ containerName: 'c', healthStatus: 'UNHEALTHY', statusSince: 1.5 }] }]);
  const status = instanceStatusRequest(ctx(), [{ type: 'ContainerRuntime', status: 'OK', lastUpdated: 1, lastStatusChange: 1 }]);
  t.same([...metrics, ...metricsRequests(ctx(), [])].flatMap((m) => validateShape(model, 'PublishMetricsRequest', m)), []);
  t.same(health.flatMap((m) => validateShape(model, 'PublishHealthRequest', m)), []);
  t.same(validateShape(model, 'PublishInstanceStatusRequest', status), []);
  t.same(healthRequests(ctx(), []), [], 'no health message without health-checked containers');
});

t.test('the TCS URL has the sorted query of the handshake transcript with a bare docker version', async (t) => {
  const url = buildTcsUrl({
    telemetryEndpoint: 'http://127.0.0.1:18082',
    cluster: 'fakecp-cluster',
    containerInstanceArn: 'arn:aws:ecs:us-west-2:123456789012:container-instance/fakecp-cluster/376cac068dec6de99e26b38a8ef6551c',
    agentVersion: '1.72.0',
    agentHash: 'ac93073e',
    dockerVersion: '20.10.24+dfsg1',
  });
  t.equal(url, 'ws://127.0.0.1:18082/ws?agentHash=ac93073e&agentVersion=1.72.0&cluster=fakecp-cluster&containerInstance=arn%3Aaws%3Aecs%3Aus-west-2%3A123456789012%3Acontainer-instance%2Ffakecp-cluster%2F376cac068dec6de99e26b38a8ef6551c&dockerVersion=20.10.24%2Bdfsg1');
  t.match(buildTcsUrl({ telemetryEndpoint: 'https://x/tcs/', cluster: 'c', containerInstanceArn: 'i', agentVersion: 'v', agentHash: 'h', dockerVersion: undefined }), /^wss:\/\/x\/tcs\/ws\?agentHash=h&agentVersion=v&cluster=c&containerInstance=i$/);
});

t.test('frames are a canonical, sorted header block, a blank line, then the JSON', async (t) => {
  const frame = encodeTcsFrame({ 'x-amz-date': '20261122T012611Z', host: '127.0.0.1:1', authorization: 'AWS4-HMAC-SHA256 x' }, '{"type":"T"}');
  t.equal(frame, 'Authorization: AWS4-HMAC-SHA256 x\r\nHost: 127.0.0.1:1\r\nX-Amz-Date: 20261122T012611Z\r\n\r\n{"type":"T"}');
  t.same(parseTcsServerFrame('{"type":"HeartbeatMessage","message":{"healthy":true}}'), { kind: 'heartbeat', healthy: true });
  t.same(parseTcsServerFrame('{"type":"AckPublishHealth","message":{"message":"ok"}}'), { kind: 'ack', type: 'AckPublishHealth' });
  t.same(parseTcsServerFrame('{"type":"StopTelemetrySessionMessage","message":{}}'), { kind: 'other', type: 'StopTelemetrySessionMessage' });
  t.equal(parseTcsServerFrame('nope').kind, 'malformed');
});

t.test('only running containers of running tasks are sampled; health checks come from dockerConfig', async (t) => {
  const spec = (name: string, dockerConfig?: string): TaskRecord['spec']['containers'][number] => ({ name, dockerConfig } as TaskRecord['spec']['containers'][number]);
  const state = (name: string, known: string, dockerId?: string): TaskRecord['state']['containers'][number] => ({ name, known, dockerId } as TaskRecord['state']['containers'][number]);
  const records = [
    { spec: { arn: 'a', family: 'f', version: '2', networkMode: 'host', containers: [spec('x', '{"Healthcheck":{"Test":["CMD-SHELL","true"]}}'), spec('y')] }, state: { known: 'RUNNING', containers: [state('x', 'RUNNING', 'd1'), state('y', 'STOPPED', 'd2')] } },
    { spec: { arn: 'b', family: 'f', version: '2', networkMode: 'bridge', containers: [spec('x')] }, state: { known: 'PENDING', containers: [state('x', 'CREATED', 'd3')] } },
  ] as unknown as TaskRecord[];
  t.same(telemetryTasks(records), [{ arn: 'a', family: 'f', version: '2', network: false, containers: [{ name: 'x', dockerId: 'd1', healthCheck: true }] }]);
  t.equal(hasHealthCheck('{"Healthcheck":{"Test":["NONE"]}}'), false);
  t.equal(hasHealthCheck('not json'), false);
});
