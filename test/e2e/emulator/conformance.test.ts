import t from 'tap';
import { haveModels, loadModel, missingRequired, validateShape } from '../../kit/models.js';
import { eventually, rawCall, startTestEmulator, totalResources } from '../../kit/emulator.js';
import { FakeAgent } from '../../kit/fake-agent.js';
import { AGENT_ATTRIBUTES } from '../../kit/emulator-fixtures.js';

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

  // Tags, attributes, instance state.
  const clusterArn = 'arn:aws:ecs:us-east-1:000000000000:cluster/conf';
  await call('TagResource', { resourceArn: clusterArn, tags: [{ key: 'env', value: 'test' }, { key: 'team', value: 'a' }] });
  await call('UntagResource', { resourceArn: clusterArn, tagKeys: ['team'] });
  t.same((await call('ListTagsForResource', { resourceArn: clusterArn }))['tags'], [{ key: 'env', value: 'test' }]);
  await call('PutAttributes', { cluster: 'conf', attributes: [{ name: 'stack', value: 'prod', targetType: 'container-instance', targetId: instanceArn }] });
  await call('ListAttributes', { cluster: 'conf', targetType: 'container-instance', attributeName: 'stack', maxResults: 10 });
  await call('DeleteAttributes', { cluster: 'conf', attributes: [{ name: 'stack', targetId: instanceArn }] });
  await call('UpdateContainerInstancesState', { cluster: 'conf', containerInstances: [instanceArn], status: 'DRAINING' });
  await call('UpdateContainerInstancesState', { cluster: 'conf', containerInstances: [instanceArn], status: 'ACTIVE' });
  const started = await call('StartTask', {
    cluster: 'conf',
    taskDefinition: 'conf:1',
    containerInstances: [instanceArn],
    startedBy: 'conformance',
    group: 'g',
    overrides: { containerOverrides: [{ name: 'app', command: ['true'], environment: [{ name: 'A', value: '1' }], memory: 32 }], cpu: '128', memory: '64' },
    tags: [{ key: 'k', value: 'v' }],
  });
  t.same(started['failures'], []);
  await call('DescribeTasks', { cluster: 'conf', tasks: [(started['tasks'] as { taskArn: string }[])[0]!.taskArn], include: ['TAGS'] });

  // Task definitions.
  await call('RegisterTaskDefinition', { family: 'conf-old', containerDefinitions: [{ name: 'a', image: 'busybox', memory: 16 }], tags: [{ key: 'k', value: 'v' }] });
  await call('DeregisterTaskDefinition', { taskDefinition: 'conf-old:1' });
  await call('ListTaskDefinitions', { familyPrefix: 'conf', status: 'INACTIVE', sort: 'DESC', maxResults: 5 });
  await call('ListTaskDefinitionFamilies', { familyPrefix: 'conf', status: 'ALL' });
  await call('DeleteTaskDefinitions', { taskDefinitions: ['conf-old:1'] });

  // Services.
  await call('CreateService', {
    cluster: 'conf',
    serviceName: 'svc',
    taskDefinition: 'conf',
    desiredCount: 1,
    launchType: 'EC2',
    schedulingStrategy: 'REPLICA',
    deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
    placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' }],
    placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }],
    healthCheckGracePeriodSeconds: 0,
    tags: [{ key: 'svc', value: '1' }],
    propagateTags: 'SERVICE',
  });
  await call('DescribeServices', { cluster: 'conf', services: ['svc'], include: ['TAGS'] });
  await call('ListServices', { cluster: 'conf', schedulingStrategy: 'REPLICA', maxResults: 10 });
  // Task scale-in protection, on a task the service started (once StartTask's task gave its host port back).
  const startedArn = (started['tasks'] as { taskArn: string }[])[0]!.taskArn;
  await rawCall(emu.url, 'StopTask', { cluster: 'conf', task: startedArn });
  await rawCall(emu.url, 'SubmitTaskStateChange', { cluster: 'conf', task: startedArn, status: 'STOPPED' });
  const svcTask = await eventually(async () => ((await rawCall(emu.url, 'ListTasks', { cluster: 'conf', serviceName: 'svc' })).body['taskArns'] as string[] | undefined)?.[0]);
  await call('UpdateTaskProtection', { cluster: 'conf', tasks: [svcTask], protectionEnabled: true, expiresInMinutes: 60 });
  t.match((await call('GetTaskProtection', { cluster: 'conf', tasks: [svcTask] }))['protectedTasks'], [{ taskArn: svcTask, protectionEnabled: true, expirationDate: Number }]);
  await call('UpdateService', { cluster: 'conf', service: 'svc', desiredCount: 2, forceNewDeployment: true });
  await call('DeleteService', { cluster: 'conf', service: 'svc', force: true });

  // Clusters and instances.
  await call('UpdateClusterSettings', { cluster: 'conf', settings: [{ name: 'containerInsights', value: 'enabled' }] });
  await call('UpdateCluster', { cluster: 'conf', settings: [{ name: 'containerInsights', value: 'disabled' }] });
  await call('DeregisterContainerInstance', { cluster: 'conf', containerInstance: instanceArn, force: true });
  await call('CreateCluster', { clusterName: 'conf-empty', tags: [{ key: 'a', value: 'b' }], settings: [{ name: 'containerInsights', value: 'disabled' }] });
  await call('DeleteCluster', { cluster: 'conf-empty' });
  const asg = 'arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:11111111-2222-3333-4444-555555555555:autoScalingGroupName/conf';
  await call('CreateCapacityProvider', { name: 'conf-cp', autoScalingGroupProvider: { autoScalingGroupArn: asg, managedScaling: { status: 'ENABLED', targetCapacity: 90 } } });
  await call('UpdateCapacityProvider', { name: 'conf-cp', autoScalingGroupProvider: { managedScaling: { status: 'ENABLED', targetCapacity: 80 } } });
  await call('DescribeCapacityProviders', { capacityProviders: ['FARGATE', 'conf-cp'], include: ['TAGS'] });
  await call('PutClusterCapacityProviders', { cluster: 'conf', capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] });
  await call('DeleteCapacityProvider', { capacityProvider: 'conf-cp' });

  await import('../../../src/emulator/ecs/api/handlers/index.js');
  const { ecs } = await import('../../../src/emulator/ecs/api/service.js');
  t.same([...seen].sort(), ecs.served(), 'every implemented operation was exercised');
});
