import t from 'tap';
import { compatibilitiesOf, FARGATE_RULES, FARGATE_SIZES, fargateProblem } from '../../../../../src/emulator/ecs/api/fargate-rules.js';

type Body = Record<string, unknown>;
const ROLE = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole';
const web = (over: Body = {}): Body => ({ name: 'web', image: 'berth/busybox:latest', essential: true, ...over });
const fargate = (over: Body = {}, container: Body = {}): Body => ({
  family: 'f', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', executionRoleArn: ROLE,
  containerDefinitions: [web(container)], ...over,
});
const without = (key: string): Body => {
  const b = fargate();
  delete b[key];
  return b;
};

// One row per rule: a definition that breaks only that rule, and ECS's words for it.
const rows: [string, Body, RegExp][] = [
  ['awsvpc only', fargate({ networkMode: 'bridge' }), /^Fargate only supports network mode 'awsvpc'\.$/],
  ['task cpu', without('cpu'), /^Fargate requires that 'cpu' be defined at the task level\.$/],
  ['task memory', without('memory'), /^Fargate requires that 'memory' be defined at the task level\.$/],
  ['cpu/memory table', fargate({ cpu: '256', memory: '4096' }), /^No Fargate configuration exists for given values: 256 CPU, 4096 memory/],
  ['no host ipc', fargate({ ipcMode: 'host' }), /ipcMode/],
  ['no host pid', fargate({ pidMode: 'host' }), /pidMode 'host'/],
  ['no placement constraints', fargate({ placementConstraints: [{ type: 'memberOf', expression: 'attribute:x exists' }] }), /placement constraints/],
  ['no host sourcePath volumes', fargate({ volumes: [{ name: 'h', host: { sourcePath: '/etc' } }] }), /sourcePath in volume 'h'/],
  ['no docker volume configurations', fargate({ volumes: [{ name: 'd', dockerVolumeConfiguration: { scope: 'task' } }] }), /dockerVolumeConfiguration in volume 'd'/],
  ['no privileged', fargate({}, { privileged: true }), /privileged mode/],
  ['no links', fargate({}, { links: ['db'] }), /^Links are not supported when networkMode=awsvpc\.$/],
  ['no hostname', fargate({}, { hostname: 'h' }), /^Hostname is not supported when networkMode=awsvpc\.$/],
  ['no dns servers', fargate({}, { dnsServers: ['10.0.0.2'] }), /dnsServers/],
  ['no dns search domains', fargate({}, { dnsSearchDomains: ['corp'] }), /dnsSearchDomains/],
  ['no extra hosts', fargate({}, { extraHosts: [{ hostname: 'a', ipAddress: '10.0.0.1' }] }), /^Extra hosts are not supported when networkMode=awsvpc\.$/],
  ['no security options', fargate({}, { dockerSecurityOptions: ['no-new-privileges'] }), /dockerSecurityOptions/],
  ['no devices', fargate({}, { linuxParameters: { devices: [{ hostPath: '/dev/fuse' }] } }), /devices/],
  ['no shared memory size', fargate({}, { linuxParameters: { sharedMemorySize: 64 } }), /sharedMemorySize/],
  ['no tmpfs', fargate({}, { linuxParameters: { tmpfs: [{ containerPath: '/t', size: 64 }] } }), /tmpfs/],
  ['no swap settings', fargate({}, { linuxParameters: { swappiness: 10 } }), /maxSwap or swappiness/],
  ['only SYS_PTRACE added', fargate({}, { linuxParameters: { capabilities: { add: ['NET_ADMIN'] } } }), /SYS_PTRACE/],
  ['supported log drivers', fargate({}, { logConfiguration: { logDriver: 'json-file' } }), /^Log driver json-file is not supported with Fargate/],
  ['awslogs needs an execution role', fargate({ executionRoleArn: undefined }, { logConfiguration: { logDriver: 'awslogs', options: {} } }), /^Fargate requires task definition to have execution role ARN to support log driver awslogs\.$/],
  ['ECR images need an execution role', fargate({ executionRoleArn: undefined }, { image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1' }), /support ECR images/],
  ['private registry credentials need an execution role', fargate({ executionRoleArn: undefined }, { repositoryCredentials: { credentialsParameter: 'reg' } }), /private registry authentication/],
];

t.test('every Fargate rule has a row, and each row breaks exactly its rule', async (t) => {
  t.same(rows.map((r) => r[0]), FARGATE_RULES.map((r) => r.name), 'one row per rule, in rule order');
  t.equal(fargateProblem(fargate()), undefined, 'the base definition runs on Fargate');
  for (const [name, body, message] of rows) t.match(fargateProblem(body), message, name);
});

t.test('the Fargate task sizes: every documented pair and nothing else', async (t) => {
  const ok = (cpu: string, memory: string) => fargateProblem(fargate({ cpu, memory })) === undefined;
  t.ok(ok('256', '512') && ok('256', '2048') && ok('.25 vCPU', '1 GB') && ok('1 vCPU', '8 GB') && ok('4096', '30720') && ok('16384', '122880'));
  t.notOk(ok('256', '3072') || ok('512', '512') || ok('1024', '9216') || ok('8192', '18432') || ok('300', '1024'));
  t.same([...FARGATE_SIZES.keys()], [256, 512, 1024, 2048, 4096, 8192, 16384]);
});

t.test('compatibilities list FARGATE only for Fargate definitions, and EXTERNAL only without awsvpc', async (t) => {
  t.same(compatibilitiesOf(fargate()), ['EC2', 'FARGATE']);
  t.same(compatibilitiesOf(fargate({ memory: '4096' })), ['EC2']);
  t.same(compatibilitiesOf({ containerDefinitions: [web()] }), ['EC2', 'EXTERNAL']);
  t.same(compatibilitiesOf({ networkMode: 'awsvpc', containerDefinitions: [web()] }), ['EC2']);
});
