/** Where task cgroups meet the rest of the agent: the create request's CgroupParent and the capabilities. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildCreateRequest } from '../../../../src/agent/engine/create-request.js';
import { newTaskRecord, parseTaskSpec } from '../../../../src/agent/engine/parse-task.js';
import { capabilityAttributes } from '../../../../src/agent/registration/attributes.js';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { haveTranscripts, TRANSCRIPTS_DIR } from '../../../kit/models.js';

const spec = parseTaskSpec({
  arn: 'arn:aws:ecs:us-west-2:1:task/c/0123abcd', family: 'web', version: '1', desiredStatus: 'RUNNING', cpu: 0.25, memory: 64,
  containers: [{ name: 'app', image: 'busybox', cpu: 0, memory: 0, essential: true, dockerConfig: { hostConfig: '{"CgroupParent":"/elsewhere"}' } }],
});

t.test("the task's cgroup is every container's CgroupParent, whatever the dockerConfig overlay says", async (t) => {
  const rec = newTaskRecord(spec, 'RUNNING');
  const state = rec.state.containers[0]!;
  state.dockerName = 'ecs-web-1-app-00000000000000000000';
  state.hostPorts = [];
  const on = buildCreateRequest({ task: spec, spec: spec.containers[0]!, state, cluster: 'c', cgroupParent: '/ecs/0123abcd' });
  t.equal((on.body['HostConfig'] as Record<string, unknown>)['CgroupParent'], '/ecs/0123abcd');
  const off = buildCreateRequest({ task: spec, spec: spec.containers[0]!, state, cluster: 'c' });
  t.equal((off.body['HostConfig'] as Record<string, unknown>)['CgroupParent'], '/elsewhere', 'limits off: the overlay is left alone');
});

const names = (taskCpuMemLimit: boolean, apiVersions: string[]): string[] =>
  capabilityAttributes({
    config: loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ECS_EXTERNAL: 'true' }, { configFile: '/nonexistent/x' }),
    apiVersions, firstRegistration: true, taskCpuMemLimit,
  }).map((a) => a.name ?? '');

const API = ['1.17', '1.18', '1.19', '1.20', '1.21', '1.22', '1.23', '1.24'];

t.test('task-cpu-mem-limit and increased-task-cpu-limit are advertised only with limits on and Docker API 1.22', async (t) => {
  t.ok(names(true, API).includes('ecs.capability.task-cpu-mem-limit'));
  t.ok(names(true, API).includes('ecs.capability.increased-task-cpu-limit'));
  t.notOk(names(false, API).some((n) => n.includes('task-cpu')), 'limits off');
  t.notOk(names(true, ['1.17', '1.18', '1.19', '1.20', '1.21']).some((n) => n.includes('task-cpu')), 'API below 1.22');
});

t.test('they sit where the official registration has them', { skip: !haveTranscripts && 'no transcripts' }, async (t) => {
  const file = path.join(TRANSCRIPTS_DIR, 'ecs-api/0001-RegisterContainerInstance.json');
  const official = (JSON.parse(readFileSync(file, 'utf8')) as { body: { attributes: { name: string }[] } }).body.attributes.map((a) => a.name);
  const ours = names(true, API).filter((n) => official.includes(n));
  t.ok(ours.includes('ecs.capability.task-cpu-mem-limit'));
  t.same(ours, official.filter((n) => ours.includes(n)), 'the official attributes berth has, in the official order');
});
