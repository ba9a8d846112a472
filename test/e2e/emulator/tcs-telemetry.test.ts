import t from 'tap';
import type { Test } from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { startTestEmulator, eventually } from '../../kit/emulator.js';
import { clusterWithInstance } from '../../kit/emulator-fixtures.js';
import { FakeAgent } from '../../kit/fake-agent.js';
import { aggregateHealth } from '../../../src/emulator/ecs/tcs/telemetry.js';
import { haveTranscripts, TRANSCRIPTS_DIR } from '../../kit/models.js';
import { parsePrometheusText, sampleValue } from '../../kit/prom-text.js';

interface Line {
  dir: string;
  frame: string;
  type?: string;
  signedHeaders?: [string, string][];
  data?: unknown;
  conn: number;
}

/** A TCS client that returns the next non-heartbeat server frame after each send. */
async function tcsClient(t: Test, url: string, instanceArn: string): Promise<{ exchange(raw: string): Promise<{ type: string; message: unknown }> }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/tcs/ws?cluster=tcs-e&containerInstance=${encodeURIComponent(instanceArn)}&agentVersion=1.72.0`);
  t.teardown(() => ws.terminate());
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const queue: { type: string; message: unknown }[] = [];
  ws.on('message', (d) => {
    const f = JSON.parse(d.toString()) as { type: string; message: unknown };
    if (f.type !== 'HeartbeatMessage') queue.push(f);
  });
  return {
    async exchange(raw) {
      ws.send(raw);
      return eventually(() => queue.shift());
    },
  };
}

const frameOf = (headers: [string, string][], body: unknown): string => `${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${JSON.stringify(body)}`;

t.test('every frame the official agent sent over TCS gets the ack the recorded server gave', { skip: !haveTranscripts }, async (t) => {
  const { emu } = await startTestEmulator(t);
  const lines = readFileSync(path.join(TRANSCRIPTS_DIR, 'tcs-messages.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
  const client = await tcsClient(t, emu.url, 'arn:aws:ecs:us-west-2:123456789012:container-instance/fakecp-cluster/376cac068dec6de99e26b38a8ef6551c');
  let replayed = 0;
  for (const [i, line] of lines.entries()) {
    if (line.dir !== 'agent->fake' || line.frame !== 'text') continue;
    const expected = lines.slice(i + 1).find((l) => l.dir === 'fake->agent' && l.conn === line.conn && l.type?.startsWith('Ack'));
    const reply = await client.exchange(frameOf(line.signedHeaders ?? [], line.data));
    t.equal(reply.type, expected?.type, `${line.type} -> ${expected?.type}`);
    replayed++;
  }
  const agentFrames = lines.filter((l) => l.dir === 'agent->fake' && l.frame === 'text').length;
  t.ok(replayed > 0 && replayed === agentFrames, `replayed all ${replayed} recorded agent frames`);
});

t.test('container health from PublishHealthRequest shows in DescribeTasks, aggregated over essential containers', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const { cluster, instanceArn } = await clusterWithInstance(ecs, { cluster: 'tcs-health' });
  const td = await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'tcs-hc',
    containerDefinitions: [
      { name: 'web', image: 'busybox', memory: 32, essential: true, healthCheck: { command: ['CMD-SHELL', 'true'] } },
      { name: 'side', image: 'busybox', memory: 32, essential: false, healthCheck: { command: ['CMD-SHELL', 'true'] } },
    ],
  }));
  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  const taskArn = await eventually(async () => {
    const run = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: td.taskDefinition!.taskDefinitionArn! }));
    return run.tasks?.[0]?.taskArn;
  });
  const describe = async (): Promise<{ task: string | undefined; web: string | undefined; side: string | undefined }> => {
    const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    const task = out.tasks![0]!;
    return { task: task.healthStatus, web: task.containers!.find((c) => c.name === 'web')?.healthStatus, side: task.containers!.find((c) => c.name === 'side')?.healthStatus };
  };
  t.same(await describe(), { task: 'UNKNOWN', web: 'UNKNOWN', side: 'UNKNOWN' }, 'nothing reported yet');
  const client = await tcsClient(t, emu.url, instanceArn);
  const publish = async (web: string, side: string): Promise<string> =>
    (await client.exchange(frameOf([['Authorization', 'x']], {
      type: 'PublishHealthRequest',
      message: {
        metadata: { cluster, containerInstance: instanceArn, messageId: 'm', fin: true },
        tasks: [{ taskArn, taskDefinitionFamily: 'tcs-hc', taskDefinitionVersion: '1', containers: [
          { containerName: 'web', healthStatus: web, statusSince: 1795310771.5 },
          { containerName: 'side', healthStatus: side, statusSince: 1795310771.5 },
        ] }],
        timestamp: 1795310771.6,
      },
    }))).type;
  t.equal(await publish('HEALTHY', 'UNHEALTHY'), 'AckPublishHealth');
  t.same(await describe(), { task: 'HEALTHY', web: 'HEALTHY', side: 'UNHEALTHY' }, 'a non-essential container does not make the task unhealthy');
  await publish('UNHEALTHY', 'HEALTHY');
  t.same(await describe(), { task: 'UNHEALTHY', web: 'UNHEALTHY', side: 'HEALTHY' });
});

t.test('task health aggregates like ECS', async (t) => {
  t.equal(aggregateHealth([]), 'UNKNOWN');
  t.equal(aggregateHealth([undefined, 'HEALTHY']), 'HEALTHY', 'containers without health checks do not count');
  t.equal(aggregateHealth(['HEALTHY', 'UNKNOWN']), 'UNKNOWN');
  t.equal(aggregateHealth(['UNKNOWN', 'UNHEALTHY']), 'UNHEALTHY');
});

t.test('GET /metrics is Prometheus text with API calls, connected instances, tasks by status and TCS task figures', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const { cluster, instanceArn } = await clusterWithInstance(ecs, { cluster: 'tcs-metrics' });
  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
  await ecs.send(new DescribeTasksCommand({ cluster: 'tcs-no-such-cluster', tasks: ['x'] })).catch(() => undefined);
  const client = await tcsClient(t, emu.url, instanceArn);
  const taskArn = `arn:aws:ecs:us-east-1:000000000000:task/${cluster}/abc`;
  const cpu = { min: 90, max: 110, sampleCount: 2, sum: 200 };
  const mem = { min: 4, max: 6, sampleCount: 2, sum: 10 };
  const ack = await client.exchange(frameOf([['Authorization', 'x']], {
    type: 'PublishMetricsRequest',
    message: { metadata: { cluster, containerInstance: instanceArn, messageId: 'm', idle: false, fin: true }, taskMetrics: [{ taskArn, taskDefinitionFamily: 'burn', taskDefinitionVersion: '3', containerMetrics: [{ containerName: 'c', cpuStatsSet: cpu, memoryStatsSet: mem }] }], timestamp: 1 },
  }));
  t.equal(ack.type, 'AckPublishMetric');
  const res = await fetch(`${emu.url}/metrics`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const fams = parsePrometheusText(await res.text());
  t.equal(sampleValue(fams, 'berth_emulator_api_requests_total', { operation: 'DescribeClusters', error: '' }), 1);
  t.ok((sampleValue(fams, 'berth_emulator_api_requests_total', { operation: 'DescribeTasks', error: 'ClusterNotFoundException' }) ?? 0) >= 1, 'errors are counted by type');
  t.equal(sampleValue(fams, 'berth_emulator_connected_instances'), 1);
  t.equal(sampleValue(fams, 'berth_emulator_task_cpu_percent', { task_arn: taskArn, container: 'c' }), 100);
  t.equal(sampleValue(fams, 'berth_emulator_task_memory_mib', { task_arn: taskArn, container: 'c' }), 5);
  t.equal(sampleValue(fams, 'berth_emulator_tcs_publishes', { type: 'PublishMetricsRequest' }), 1);
  t.equal(fams.get('berth_emulator_tasks')?.type, 'gauge');
  t.throws(() => parsePrometheusText('foo{a=b} 1\n'), 'the parser is strict');
});
