import t from 'tap';
import { haveModels, loadModel, missingRequired, validateShape } from '../helpers/models.js';
import { rawCall, startTestEmulator, totalResources } from './helpers/emulator.js';
import { FakeAgent } from './helpers/fake-agent.js';
import { AGENT_ATTRIBUTES } from './helpers/fixtures.js';

t.test('every operation accepts model-conformant input and answers with its output shape', { skip: !haveModels && 'no ../shared/models' }, async (t) => {
  const model = loadModel('ecs-service-2.json');
  const { emu } = await startTestEmulator(t);
  const seen = new Set<string>();
  const call = async (op: string, input: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const shapes = model.operations[op]!;
    t.same(validateShape(model, shapes.input!.shape, input), [], `${op} request conforms`);
    t.same(missingRequired(model, shapes.input!.shape, input), [], `${op} request has its required members`);
    const r = await rawCall(emu.url, op, input);
    t.equal(r.status, 200, `${op} succeeds`);
    t.same(validateShape(model, shapes.output!.shape, r.body), [], `${op} response conforms`);
    seen.add(op);
    return r.body;
  };

  await call('CreateCluster', { clusterName: 'conf' });
  await call('ListClusters', {});
  await call('DescribeClusters', { clusters: ['conf'] });
  await call('RegisterTaskDefinition', {
    family: 'conf',
    networkMode: 'bridge',
    cpu: '256',
    memory: '128',
    requiresCompatibilities: ['EC2'],
    volumes: [{ name: 'data', host: { sourcePath: '/tmp' } }],
    containerDefinitions: [
      {
        name: 'app',
        image: 'busybox',
        memoryReservation: 64,
        essential: true,
        portMappings: [{ containerPort: 80, hostPort: 8081, protocol: 'tcp' }],
        mountPoints: [{ sourceVolume: 'data', containerPath: '/data', readOnly: false }],
        healthCheck: { command: ['CMD', 'true'], interval: 10 },
        logConfiguration: { logDriver: 'json-file', options: { 'max-size': '1m' } },
      },
    ],
  });
  await call('DescribeTaskDefinition', { taskDefinition: 'conf:1' });
  const reg = await call('RegisterContainerInstance', {
    cluster: 'conf',
    totalResources: totalResources(),
    attributes: AGENT_ATTRIBUTES,
    instanceIdentityDocument: '',
    instanceIdentityDocumentSignature: '',
  });
  const instanceArn = (reg['containerInstance'] as { containerInstanceArn: string }).containerInstanceArn;
  await call('DescribeContainerInstances', { cluster: 'conf', containerInstances: [instanceArn] });
  await call('ListContainerInstances', { cluster: 'conf' });
  await call('DiscoverPollEndpoint', { cluster: 'conf', containerInstance: instanceArn });
  await call('ListTagsForResource', { resourceArn: instanceArn });

  const agent = await FakeAgent.connect(emu.url, 'conf', instanceArn);
  t.teardown(() => agent.close());
  const run = await call('RunTask', { cluster: 'conf', taskDefinition: 'conf', startedBy: 'conformance' });
  const taskArn = (run['tasks'] as { taskArn: string }[])[0]!.taskArn;
  const payload = await agent.nextPayload();
  t.same(validateShape(loadModel('acs-api-2.json'), 'PayloadMessage', payload), [], 'PayloadMessage with dockerConfig and volumes conforms');
  t.equal(payload.tasks?.[0]?.cpu, 0.25, 'task cpu goes out as vCPU');
  t.equal(payload.tasks?.[0]?.memory, 128);
  t.equal(payload.tasks?.[0]?.containers?.[0]?.healthCheckType, 'docker');
  t.match(payload.tasks?.[0]?.containers?.[0]?.dockerConfig?.hostConfig, /MemoryReservation/);
  agent.ack(payload.messageId);

  // The official agent's bodies (transcript 0004/0005/0024 shapes), including attachments-only.
  await call('SubmitTaskStateChange', {
    cluster: 'conf',
    task: taskArn,
    status: 'RUNNING',
    reason: '',
    pullStartedAt: 1795310771.5,
    pullStoppedAt: 1795310772.5,
    containers: [{ containerName: 'app', status: 'RUNNING', runtimeId: 'abc', imageDigest: 'sha256:00', networkBindings: [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 8081, protocol: 'tcp' }] }],
  });
  await call('SubmitTaskStateChange', { cluster: 'conf', task: taskArn, attachments: [{ attachmentArn: 'arn:aws:ecs:us-east-1:000000000000:attachment/x', status: 'ATTACHED' }] });
  await call('SubmitContainerStateChange', { cluster: 'conf', task: taskArn, containerName: 'app', status: 'RUNNING', runtimeId: 'abc' });
  await call('SubmitAttachmentStateChanges', { cluster: 'conf', attachments: [{ attachmentArn: 'arn:aws:ecs:us-east-1:000000000000:attachment/y', status: 'ATTACHED' }] });
  await call('ListTasks', { cluster: 'conf', family: 'conf', containerInstance: instanceArn });
  await call('DescribeTasks', { cluster: 'conf', tasks: [taskArn] });
  await call('StopTask', { cluster: 'conf', task: taskArn, reason: 'done' });
  await call('SubmitTaskStateChange', {
    cluster: 'conf',
    task: taskArn,
    status: 'STOPPED',
    reason: '',
    executionStoppedAt: 1795310831.633,
    containers: [{ containerName: 'app', status: 'STOPPED', exitCode: 0 }],
  });
  const described = await call('DescribeTasks', { cluster: 'conf', tasks: [taskArn] });
  t.match((described['tasks'] as unknown[])[0], { lastStatus: 'STOPPED', stoppedReason: 'done', pullStartedAt: 1795310771.5 });

  const { HANDLERS } = await import('../../src/emulator/api/handlers/index.js');
  t.same([...seen].sort(), Object.keys(HANDLERS).sort(), 'every implemented operation was exercised');
});
