import t from 'tap';
import { RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { startStack, waitFor } from '../kit/harness.js';
import { AgentMetrics, instrumentRuntime } from '../../src/agent/metrics/index.js';
import { BerthError } from '../../src/shared/errors.js';
import { parsePrometheusText, sampleValue } from '../kit/prom-text.js';

t.test('Docker calls are timed by method and failures counted by error code', async (t) => {
  const metrics = new AgentMetrics();
  const runtime = instrumentRuntime({
    async startContainer(): Promise<void> {
      throw new BerthError('CannotStartContainerError', 'no');
    },
    async version(): Promise<string> {
      return '20.10';
    },
  }, metrics);
  t.equal(await runtime.version(), '20.10');
  await t.rejects(runtime.startContainer(), { code: 'CannotStartContainerError' }, 'errors pass through unchanged');
  const f = parsePrometheusText(await metrics.registry.metrics());
  t.equal(sampleValue(f, 'berth_agent_docker_call_duration_seconds_count', { method: 'version' }), 1);
  t.equal(sampleValue(f, 'berth_agent_docker_call_errors_total', { method: 'startContainer', code: 'CannotStartContainerError' }), 1);
  t.equal(sampleValue(f, 'berth_agent_acs_connected'), 0, 'unbound sources read as disconnected');
});

t.test('with ECS_ENABLE_PROMETHEUS_METRICS the agent serves tasks, ACS, API and Docker latency, per-task CPU and memory', async (t) => {
  const { cluster, ecs, agent } = await startStack(t, {
    name: 'tcs-prom',
    portRange: '51000-51599',
    extra: { ECS_ENABLE_PROMETHEUS_METRICS: 'true', BERTH_PROMETHEUS_PORT: '0', BERTH_TCS_PUBLISH_INTERVAL: '300ms' },
  });
  t.ok(agent.prometheusPort, 'a free port was picked');
  await ecs.send(new RegisterTaskDefinitionCommand({ family: 'tcs-prom', containerDefinitions: [{ name: 'idle', image: 'berth/busybox:latest', memory: 32, essential: true, command: ['sleep', '3600'] }] }));
  const taskArn = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'tcs-prom' }))).tasks![0]!.taskArn!;

  const url = `http://127.0.0.1:${agent.prometheusPort}/metrics`;
  const f = await waitFor('a RUNNING task with CPU figures', async () => {
    const fams = parsePrometheusText(await (await fetch(url)).text());
    return sampleValue(fams, 'berth_agent_tasks', { status: 'RUNNING' }) === 1 && sampleValue(fams, 'berth_agent_container_cpu_percent', { task_arn: taskArn }) !== undefined &&
      (sampleValue(fams, 'berth_agent_ecs_api_request_duration_seconds_count', { operation: 'SubmitTaskStateChange' }) ?? 0) >= 1 ? fams : undefined;
  }, 30_000);
  t.equal(sampleValue(f, 'berth_agent_acs_connected'), 1);
  t.equal(sampleValue(f, 'berth_agent_tcs_connected'), 1);
  t.ok((sampleValue(f, 'berth_agent_docker_call_duration_seconds_count', { method: 'createContainer' }) ?? 0) >= 1, 'docker create was timed');
  t.equal(f.get('berth_agent_docker_call_errors_total')?.type, 'counter');
  t.ok((sampleValue(f, 'berth_agent_ecs_api_request_duration_seconds_count', { operation: 'RegisterContainerInstance' }) ?? 0) >= 1);
  const mem = sampleValue(f, 'berth_agent_container_memory_bytes', { task_arn: taskArn, container: 'idle' })!;
  t.ok(mem > 0 && mem < 32 * 1024 * 1024, `memory of sleep is small and non-zero (${mem} B)`);
  t.ok((sampleValue(f, 'berth_agent_tcs_frames_total', { direction: 'sent', type: 'PublishMetricsRequest' }) ?? 0) >= 1);
  t.equal((await fetch(`http://127.0.0.1:${agent.prometheusPort}/other`)).status, 404);
});
