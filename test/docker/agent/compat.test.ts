/**
 * Compatibility with the official agent's recorded traffic: the same situation (one web task with a dynamic
 * port, run then stopped) produces requests with the transcripts' key sets, names and label keys.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startAgent } from '../../../src/agent/index.js';
import { startFakeControlPlane, eventually } from '../../kit/fake-control-plane.js';
import { containersWithLabel, docker } from '../../kit/docker.js';
import { haveTranscripts, TRANSCRIPTS_DIR } from '../../kit/models.js';
import { agentConfig, cleanupContainers, taskArn, tempDataDir, testLogger, uniqueCluster, webTask } from '../../kit/agent-harness.js';

type Json = Record<string, unknown>;
const transcript = (name: string): Json => JSON.parse(readFileSync(path.join(TRANSCRIPTS_DIR, name), 'utf8')) as Json;
const keys = (o: unknown): string[] => Object.keys(o as Json).sort();

t.test('berth talks like the official agent for the same task', { skip: !haveTranscripts && 'no transcripts' }, async (t) => {
  const fake = await startFakeControlPlane();
  t.teardown(() => fake.close());
  const cluster = uniqueCluster('compat');
  cleanupContainers(t, cluster);
  // The recorded official run used ECS_IMAGE_PULL_BEHAVIOR=prefer-cached (its image was local; transcripts README).
  const agent = await startAgent({ config: agentConfig({ cluster, backend: fake.url, dataDir: tempDataDir(t), portRange: '41600-41699', extra: { ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached' } }), log: testLogger() });
  t.teardown(() => agent.close());

  const officialReg = (transcript('ecs-api/0001-RegisterContainerInstance.json')['body'] as Json);
  const reg = fake.ofOperation('RegisterContainerInstance')[0]!.body;
  // The official agent's clientToken is not a member of today's model; the model wins (spec preamble).
  const officialModelKeys = keys(officialReg).filter((k) => k !== 'clientToken');
  t.same(keys(reg), officialModelKeys, 'RegisterContainerInstance top-level keys (those in the model)');
  const resources = (r: Json): string[] => (r['totalResources'] as Json[]).map((x) => `${String(x['name'])}:${String(x['type'])}:${keys(x).join(',')}`);
  t.same(resources(reg), resources(officialReg), 'same resource names, types and value members');
  // The recorded agent ran without ecs-init, which turns ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE on (spec §1.2,
  // capability table: E.execution-role-awslogs); berth has ecs-init's default, so that name is official too.
  const officialNames = new Set([...(officialReg['attributes'] as { name: string }[]).map((a) => a.name), 'ecs.capability.execution-role-awslogs']);
  for (const a of reg['attributes'] as { name: string }[]) {
    if (a.name !== 'com.amazonaws.ecs.capability.privileged-container') t.ok(officialNames.has(a.name), `${a.name} is an official attribute`);
  }

  const handshake = readFileSync(path.join(TRANSCRIPTS_DIR, 'acs-handshake-01.txt'), 'utf8');
  const officialQuery = new URL(/^GET (\S+) HTTP/m.exec(handshake)![1]!, 'http://x').searchParams;
  const query = new URL(fake.connections[0]!.url, 'http://x').searchParams;
  t.same([...query.keys()], [...officialQuery.keys()], 'ACS query parameter names, in order');
  t.match(query.get('dockerVersion'), /^DockerVersion: \d+\.\d+/);

  const arn = taskArn(cluster);
  fake.sendPayload([webTask(arn, 'RUNNING')]);
  const running = await eventually('RUNNING', () => fake.ofOperation('SubmitTaskStateChange').find((r) => r.body['task'] === arn && r.body['status'] === 'RUNNING'));
  const officialRunning = transcript('ecs-api/0004-SubmitTaskStateChange.json')['body'] as Json;
  t.same(keys(running.body), keys(officialRunning), 'RUNNING change keys');
  t.same(keys((running.body['containers'] as Json[])[0]), keys((officialRunning['containers'] as Json[])[0]), 'RUNNING container keys');

  const id = containersWithLabel('com.amazonaws.ecs.task-arn', arn)[0]!;
  const inspect = JSON.parse(docker('inspect', id)) as Json[];
  const officialInspectRaw = JSON.parse(readFileSync(path.join(TRANSCRIPTS_DIR, 'docker-inspect-example.json'), 'utf8')) as Json | Json[];
  const officialInspect = Array.isArray(officialInspectRaw) ? officialInspectRaw[0]! : officialInspectRaw;
  const labelsOf = (i: Json): string[] => keys((i['Config'] as Json)['Labels']);
  t.same(labelsOf(inspect[0]!), labelsOf(officialInspect), 'container label keys');
  t.match(String(inspect[0]!['Name']), /^\/ecs-berth-web-3-web-[0-9a-f]{20}$/);
  const envNames = (i: Json): string[] => ((i['Config'] as Json)['Env'] as string[]).map((e) => e.split('=')[0]!).filter((n) => n.startsWith('ECS_')).sort();
  t.same(envNames(inspect[0]!), envNames(officialInspect), 'injected ECS_ variables');
  const hostPort = (((inspect[0]!['HostConfig'] as Json)['PortBindings'] as Json)['8080/tcp'] as Json[])[0]!['HostPort'];
  t.match(String(hostPort), /^\d+$/, 'explicit HostPort in PortBindings');

  fake.sendPayload([webTask(arn, 'STOPPED')]);
  const stopped = await eventually('STOPPED', () => fake.ofOperation('SubmitTaskStateChange').find((r) => r.body['task'] === arn && r.body['status'] === 'STOPPED'));
  const officialStopped = transcript('ecs-api/0005-SubmitTaskStateChange.json')['body'] as Json;
  t.same(keys(stopped.body), keys(officialStopped), 'STOPPED change keys');
  t.same(keys((stopped.body['containers'] as Json[])[0]), keys((officialStopped['containers'] as Json[])[0]), 'STOPPED container keys');
});
