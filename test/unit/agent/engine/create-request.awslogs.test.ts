import t from 'tap';
import { buildCreateRequest, type AwslogsInput } from '../../../../src/agent/engine/create-request.js';
import { newTaskRecord, parseTaskSpec } from '../../../../src/agent/engine/parse-task.js';

const AWSLOGS = JSON.stringify({ LogConfig: { Type: 'awslogs', Config: { 'awslogs-group': '/ecs/app', 'awslogs-region': 'us-east-1', 'awslogs-stream': 'ecs/app/abc' } } });

function logConfig(opts: { logsAuthStrategy?: 'ExecutionRole'; hostConfig?: string; awslogs?: AwslogsInput }): { Type?: string; Config?: Record<string, string> } | undefined {
  const spec = parseTaskSpec({
    arn: 'arn:aws:ecs:us-east-1:1:task/c/abc',
    family: 'app',
    version: '1',
    desiredStatus: 'RUNNING',
    containers: [{ name: 'app', image: 'busybox', cpu: 0, memory: 64, essential: true, ...(opts.logsAuthStrategy ? { logsAuthStrategy: opts.logsAuthStrategy } : {}), dockerConfig: { config: '{}', hostConfig: opts.hostConfig ?? AWSLOGS } }],
  });
  const state = newTaskRecord(spec, 'RUNNING').state.containers[0]!;
  state.dockerName = 'ecs-app-1-app-00000000000000000000';
  const req = buildCreateRequest({ task: spec, spec: spec.containers[0]!, state, cluster: 'c', ...(opts.awslogs ? { awslogs: opts.awslogs } : {}) });
  return (req.body as { HostConfig: { LogConfig?: { Type?: string; Config?: Record<string, string> } } }).HostConfig.LogConfig;
}

t.test('logsAuthStrategy ExecutionRole: the awslogs driver gets the execution role credentials endpoint', async (t) => {
  const config = logConfig({ logsAuthStrategy: 'ExecutionRole', awslogs: { executionCredentialsUri: '/v2/credentials/exec-id' } });
  t.same(config, { Type: 'awslogs', Config: { 'awslogs-group': '/ecs/app', 'awslogs-region': 'us-east-1', 'awslogs-stream': 'ecs/app/abc', 'awslogs-credentials-endpoint': '/v2/credentials/exec-id' } });
});

t.test('a container sent without the strategy gets no credentials endpoint, even when the task has an execution role', async (t) => {
  const config = logConfig({ awslogs: { executionCredentialsUri: '/v2/credentials/exec-id' } });
  t.notOk(config?.Config && 'awslogs-credentials-endpoint' in config.Config);
});

t.test('the strategy without execution role credentials cannot create the container (HostConfigError)', async (t) => {
  t.throws(() => logConfig({ logsAuthStrategy: 'ExecutionRole', awslogs: {} }), { code: 'HostConfigError', message: /execution role credentials/ });
});

t.test('a configured CloudWatch Logs endpoint goes to awslogs containers that name none, and only to them', async (t) => {
  t.equal(logConfig({ awslogs: { endpoint: 'http://127.0.0.1:8800' } })?.Config?.['awslogs-endpoint'], 'http://127.0.0.1:8800');
  const own = JSON.stringify({ LogConfig: { Type: 'awslogs', Config: { 'awslogs-group': 'g', 'awslogs-endpoint': 'https://logs.example' } } });
  t.equal(logConfig({ hostConfig: own, awslogs: { endpoint: 'http://127.0.0.1:8800' } })?.Config?.['awslogs-endpoint'], 'https://logs.example', "the task definition's own endpoint wins");
  const jsonFile = JSON.stringify({ LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } } });
  t.same(logConfig({ hostConfig: jsonFile, awslogs: { endpoint: 'http://127.0.0.1:8800' } }), { Type: 'json-file', Config: { 'max-size': '1m' } });
});

t.test('log driver secrets (target LOG_DRIVER) become options of the driver, never environment variables', async (t) => {
  const spec = parseTaskSpec({
    arn: 'arn:aws:ecs:us-east-1:1:task/c/abc', family: 'app', version: '1', desiredStatus: 'RUNNING',
    containers: [{
      name: 'app', image: 'busybox', cpu: 0, memory: 64, essential: true,
      dockerConfig: { config: '{}', hostConfig: JSON.stringify({ LogConfig: { Type: 'splunk', Config: { 'splunk-url': 'https://splunk.example' } } }) },
      secrets: [{ name: 'splunk-token', valueFrom: '/logging/token', type: 'ENVIRONMENT_VARIABLE', provider: 'ssm', region: 'us-east-1', target: 'LOG_DRIVER' }],
    }],
  });
  t.same(spec.containers[0]!.secrets, [{ name: 'splunk-token', valueFrom: '/logging/token', provider: 'ssm', region: 'us-east-1', target: 'LOG_DRIVER' }], 'parsed with its target');
  const state = newTaskRecord(spec, 'RUNNING').state.containers[0]!;
  state.dockerName = 'ecs-app-1-app-00000000000000000000';
  const req = buildCreateRequest({ task: spec, spec: spec.containers[0]!, state, cluster: 'c', secretEnvironment: {}, secretLogOptions: { 'splunk-token': 's3cr3t' } });
  const body = req.body as { Env: string[]; HostConfig: { LogConfig: unknown } };
  t.same(body.HostConfig.LogConfig, { Type: 'splunk', Config: { 'splunk-url': 'https://splunk.example', 'splunk-token': 's3cr3t' } });
  t.notOk(body.Env.some((e) => e.includes('s3cr3t')), 'not in the environment');
});
