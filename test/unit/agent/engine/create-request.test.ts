import t from 'tap';
import { buildCreateRequest } from '../../../../src/agent/engine/create-request.js';
import { dockerContainerName, ecsLabels } from '../../../../src/agent/model/labels.js';
import { newTaskRecord, parseTaskSpec } from '../../../../src/agent/engine/parse-task.js';

const spec = parseTaskSpec({
  arn: 'arn:aws:ecs:us-west-2:1:task/c/abc',
  family: 'web',
  version: '7',
  desiredStatus: 'RUNNING',
  containers: [{
    name: 'my_app.1', image: 'busybox', cpu: 0, memory: 64, essential: true, command: ['sleep', '1'],
    environment: { A: '1' },
    portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }, { containerPort: 53, hostPort: 5353, protocol: 'udp' }],
    dockerConfig: { config: '{"Labels":{"mine":"yes","com.amazonaws.ecs.cluster":"spoof"},"User":"nobody"}', hostConfig: '{"CapAdd":["NET_ADMIN"],"NetworkMode":"host"}' },
  }],
});

t.test('container names follow ecs-<family>-<rev>-<name>-<20 hex>', async (t) => {
  t.match(dockerContainerName(spec, 'my_app.1'), /^ecs-web-7-myapp1-[0-9a-f]{20}$/);
});

t.test('the create request carries labels, env, explicit host ports, limits and the overlays', async (t) => {
  const rec = newTaskRecord(spec, 'RUNNING');
  const state = rec.state.containers[0]!;
  state.dockerName = 'ecs-web-7-myapp1-00000000000000000000';
  state.hostPorts = [41000, 5353];
  const req = buildCreateRequest({ task: spec, spec: spec.containers[0]!, state, cluster: 'prod' });
  const body = req.body as { Labels: unknown; Env: string[]; Cmd: unknown; User: unknown; ExposedPorts: unknown; HostConfig: Record<string, unknown> };
  t.equal(req.name, state.dockerName);
  t.same(body.Labels, { mine: 'yes', ...ecsLabels(spec, 'my_app.1', 'prod') }, 'ECS labels win over dockerConfig labels');
  t.same(Object.keys(ecsLabels(spec, 'x', 'c')).sort(), [
    'com.amazonaws.ecs.cluster', 'com.amazonaws.ecs.container-name', 'com.amazonaws.ecs.task-arn',
    'com.amazonaws.ecs.task-definition-family', 'com.amazonaws.ecs.task-definition-version',
  ]);
  t.ok(body.Env.includes('A=1'));
  t.ok(body.Env.includes(`ECS_CONTAINER_METADATA_URI=http://169.254.170.2/v3/${state.v3EndpointId}`));
  t.ok(body.Env.includes(`ECS_CONTAINER_METADATA_URI_V4=http://169.254.170.2/v4/${state.v3EndpointId}`));
  t.ok(body.Env.includes(`ECS_AGENT_URI=http://169.254.170.2/api/${state.v3EndpointId}`));
  t.same(body.Cmd, ['sleep', '1']);
  t.equal(body.User, 'nobody');
  t.same(body.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  t.same(body.HostConfig['PortBindings'], { '80/tcp': [{ HostIp: '', HostPort: '41000' }], '53/udp': [{ HostIp: '', HostPort: '5353' }] });
  t.equal(body.HostConfig['Memory'], 64 * 2 ** 20);
  t.equal(body.HostConfig['CpuShares'], 2, 'cpu shares at least 2');
  t.equal(body.HostConfig['NetworkMode'], 'host', 'hostConfig overlay wins');
  t.same(body.HostConfig['CapAdd'], ['NET_ADMIN']);
});

t.test('bad dockerConfig JSON is a DockerClientConfigError', async (t) => {
  const bad = { ...spec, containers: [{ ...spec.containers[0]!, dockerConfig: '{nope' }] };
  const rec = newTaskRecord(bad, 'RUNNING');
  rec.state.containers[0]!.dockerName = 'n';
  rec.state.containers[0]!.hostPorts = [1, 2];
  t.throws(() => buildCreateRequest({ task: bad, spec: bad.containers[0]!, state: rec.state.containers[0]!, cluster: 'c' }), { code: 'DockerClientConfigError' });
});

t.test('tasks without the required members fail to parse', async (t) => {
  t.throws(() => parseTaskSpec({ arn: 'a', family: 'f', version: '1', containers: [] }), /no containers/);
  t.throws(() => parseTaskSpec({ arn: 'a', family: 'f', version: '1', containers: [{ name: 'x' }] }), /image/);
});
