import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ContainerMetadataFiles, metadataDocument, taskIdOf, withMetadataMount, type InstanceFacts } from '../../../../src/agent/engine/metadata-file.js';
import type { TaskSpec } from '../../../../src/agent/model/task.js';
import type { ContainerInspect } from '../../../../src/agent/runtime/runtime.js';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/mdf-unit/0123456789abcdef0123456789abcdef';
const TASK: TaskSpec = { arn: ARN, family: 'web', version: '3', networkMode: 'bridge', containers: [] };
const FACTS: InstanceFacts = {
  cluster: 'mdf-unit',
  containerInstanceArn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/mdf-unit/abc',
  availabilityZone: 'us-east-1a',
  hostPrivateIPv4Address: '10.0.0.7',
};
const INFO: ContainerInspect = {
  id: 'f'.repeat(64),
  name: 'ecs-web-3-app-aaaa',
  running: true,
  dead: false,
  startedAt: 1,
  finishedAt: undefined,
  exitCode: undefined,
  oomKilled: false,
  error: '',
  bindings: [{ bindIP: '0.0.0.0', containerPort: 8080, hostPort: 40201, protocol: 'tcp' }],
  labels: {},
  imageId: `sha256:${'e'.repeat(64)}`,
  networks: [{ name: 'bridge', ipv4: '172.17.0.5', ipv6: undefined, gateway: '172.17.0.1' }],
};

t.test('the INITIAL document holds only what the agent knows, in the official member order', async (t) => {
  const doc = metadataDocument(FACTS, TASK, 'app');
  t.same(Object.keys(doc), ['Cluster', 'ContainerInstanceARN', 'TaskARN', 'TaskDefinitionFamily', 'TaskDefinitionRevision', 'ContainerName', 'MetadataFileStatus', 'AvailabilityZone', 'HostPrivateIPv4Address']);
  t.match(doc, { Cluster: 'mdf-unit', TaskARN: ARN, TaskDefinitionFamily: 'web', TaskDefinitionRevision: '3', ContainerName: 'app', MetadataFileStatus: 'INITIAL' });
});

t.test('the READY document adds what docker inspect says: ID, Docker name, image, ports and networks', async (t) => {
  const doc = metadataDocument(FACTS, TASK, 'app', { info: INFO, imageName: 'berth/busybox:latest' });
  t.same(doc, {
    Cluster: 'mdf-unit',
    ContainerInstanceARN: FACTS.containerInstanceArn,
    TaskARN: ARN,
    TaskDefinitionFamily: 'web',
    TaskDefinitionRevision: '3',
    ContainerID: INFO.id,
    ContainerName: 'app',
    DockerContainerName: '/ecs-web-3-app-aaaa',
    ImageID: INFO.imageId,
    ImageName: 'berth/busybox:latest',
    PortMappings: [{ ContainerPort: 8080, HostPort: 40201, BindIp: '0.0.0.0', Protocol: 'tcp' }],
    Networks: [{ NetworkMode: 'bridge', IPv4Addresses: ['172.17.0.5'] }],
    MetadataFileStatus: 'READY',
    AvailabilityZone: 'us-east-1a',
    HostPrivateIPv4Address: '10.0.0.7',
  });
});

t.test('empty members are omitted like Go omitempty (no ports, no zone)', async (t) => {
  const doc = metadataDocument({ cluster: 'c', containerInstanceArn: 'ci' }, TASK, 'app', { info: { ...INFO, bindings: [] }, imageName: 'x' });
  t.notOk('PortMappings' in doc);
  t.notOk('AvailabilityZone' in doc);
  t.notOk('HostPrivateIPv4Address' in doc);
});

t.test('the task id is the last part of long and short task ARNs', async (t) => {
  t.equal(taskIdOf(ARN), '0123456789abcdef0123456789abcdef');
  t.equal(taskIdOf('arn:aws:ecs:us-east-1:123456789012:task/abc-123'), 'abc-123');
  t.throws(() => taskIdOf('arn:aws:ecs:us-east-1:123456789012:task/../x/'));
});

t.test('the mount and variable are appended after the request\'s own binds and env', async (t) => {
  const req = withMetadataMount({ name: 'n', body: { Env: ['A=1'], HostConfig: { Binds: ['/a:/b'], NetworkMode: 'bridge' } } }, { bind: '/h:/opt/ecs/metadata/u', env: { ECS_CONTAINER_METADATA_FILE: '/opt/ecs/metadata/u/ecs-container-metadata.json' } });
  t.same(req.body['Env'], ['A=1', 'ECS_CONTAINER_METADATA_FILE=/opt/ecs/metadata/u/ecs-container-metadata.json']);
  t.same(req.body['HostConfig'], { Binds: ['/a:/b', '/h:/opt/ecs/metadata/u'], NetworkMode: 'bridge' });
});

t.test('files are written under <datadir>/metadata/<cluster>/<task>/<container>, updated in place, and cleaned per task', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-mdf-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files = new ContainerMetadataFiles({ ...FACTS, dataDir: dir, hostDataDir: '/var/lib/ecs' });
  const mount = await files.create(TASK, 'app');
  const containerDir = path.join(dir, 'metadata', 'mdf-unit', '0123456789abcdef0123456789abcdef', 'app');
  const file = path.join(containerDir, 'ecs-container-metadata.json');
  t.match(mount.bind, new RegExp(`^/var/lib/ecs${containerDir}:/opt/ecs/metadata/[0-9a-f-]{36}$`), 'the bind source is the host view of the directory');
  const inside = mount.bind.split(':')[1]!;
  t.same(mount.env, { ECS_CONTAINER_METADATA_FILE: `${inside}/ecs-container-metadata.json` });
  t.equal((JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)['MetadataFileStatus'], 'INITIAL');
  t.equal(statSync(file).mode & 0o777, 0o644);

  await files.update(TASK, 'app', 'berth/busybox:latest', INFO);
  t.match(JSON.parse(readFileSync(file, 'utf8')), { MetadataFileStatus: 'READY', ContainerID: INFO.id });
  t.same(readdirSync(containerDir), ['ecs-container-metadata.json'], 'no temp file is left behind');

  await t.rejects(files.update(TASK, 'app', 'x', { ...INFO, running: false }), 'a stopped container is not written READY');
  await files.clean(ARN);
  t.same(readdirSync(path.join(dir, 'metadata', 'mdf-unit')), []);
  await t.rejects(files.update(TASK, 'app', 'x', INFO), 'an update after cleanup does not bring the file back');
  t.same(readdirSync(path.join(dir, 'metadata', 'mdf-unit')), []);
});

t.test('without ECS_HOST_DATA_DIR the bind source is the path berth wrote', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-mdf-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files = new ContainerMetadataFiles({ ...FACTS, dataDir: dir });
  const mount = await files.create(TASK, 'app');
  t.equal(mount.bind.split(':')[0], files.containerDir(ARN, 'app'));
  t.ok(path.isAbsolute(files.containerDir(ARN, 'app')));
});
