/**
 * Container secrets on the control-plane side: RegisterTaskDefinition keeps and validates `secrets` (an
 * execution role is required), and the ACS payload carries them as the official ECS does (type
 * ENVIRONMENT_VARIABLE, provider asm | ssm, region, target CONTAINER) beside the execution role credentials.
 */
import t from 'tap';
import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { startTestEmulator } from '../../kit/emulator.js';
import { FakeAgent } from '../../kit/fake-agent.js';
import { clusterWithInstance } from '../../kit/emulator-fixtures.js';
import { secretRef } from '../../../src/emulator/ecs/container-secrets.js';

const ASM_ARN = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:db-AbCdEf';
const ASM_KEYED = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::';
const SSM_ARN = 'arn:aws:ssm:ap-south-1:123456789012:parameter/app/token';
const EXEC_ROLE = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';

t.test('valueFrom is classified like the official agent reads it', async (t) => {
  t.same(secretRef(ASM_ARN), { provider: 'asm', region: 'eu-west-3' });
  t.same(secretRef(ASM_KEYED), { provider: 'asm', region: 'us-east-1' }, 'json-key:version-stage:version-id suffix');
  t.same(secretRef(`${ASM_ARN}:k:AWSPREVIOUS:`), { provider: 'asm', region: 'eu-west-3' });
  t.same(secretRef(SSM_ARN), { provider: 'ssm', region: 'ap-south-1' });
  t.same(secretRef('/app/token'), { provider: 'ssm', region: undefined }, 'a bare parameter name');
  t.same(secretRef('plain_name.v1'), { provider: 'ssm', region: undefined });
  t.equal(secretRef(`${ASM_ARN}:only-a-key`), undefined, 'a suffix must have all three parts');
  t.equal(secretRef('arn:aws:s3:::bucket/key'), undefined, 'another service');
  t.equal(secretRef('arn:aws:ssm:us-east-1:123456789012:document/x'), undefined, 'an SSM resource that is not a parameter');
  t.equal(secretRef('has spaces'), undefined);
});

t.test('a task with secrets is sent with them in the ACS form and with execution role credentials', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const { cluster, instanceArn } = await clusterWithInstance(ecs, { memory: 512 });
  const secrets = [
    { name: 'DB', valueFrom: ASM_ARN },
    { name: 'DB_PASSWORD', valueFrom: ASM_KEYED },
    { name: 'TOKEN', valueFrom: SSM_ARN },
    { name: 'PLAIN', valueFrom: '/app/plain' },
  ];
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'with-secrets',
      executionRoleArn: EXEC_ROLE,
      containerDefinitions: [
        { name: 'app', image: 'busybox', memory: 32, secrets },
        { name: 'sidecar', image: 'busybox', memory: 32 },
      ],
    }),
  );
  const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'with-secrets' }));
  t.same(described.taskDefinition?.containerDefinitions?.[0]?.secrets, secrets, 'kept as registered');

  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'with-secrets' }));
  const task = (await agent.nextPayload()).tasks![0]!;
  const app = task.containers!.find((c) => c.name === 'app')!;
  const common = { type: 'ENVIRONMENT_VARIABLE', target: 'CONTAINER' };
  t.same(app.secrets, [
    { name: 'DB', valueFrom: ASM_ARN, provider: 'asm', region: 'eu-west-3', ...common },
    { name: 'DB_PASSWORD', valueFrom: ASM_KEYED, provider: 'asm', region: 'us-east-1', ...common },
    { name: 'TOKEN', valueFrom: SSM_ARN, provider: 'ssm', region: 'ap-south-1', ...common },
    { name: 'PLAIN', valueFrom: '/app/plain', provider: 'ssm', region: 'us-east-1', ...common },
  ]);
  t.notOk(task.containers!.find((c) => c.name === 'sidecar')!.secrets, 'only the containers that have secrets');
  t.notOk(app.environment?.['DB'], 'secrets are not plain environment');
  t.equal(task.executionRoleCredentials?.roleArn, EXEC_ROLE);
  t.match(task.executionRoleCredentials?.accessKeyId, /^ASIA/);
});

t.test('malformed secrets, or secrets without an execution role, are refused at registration', async (t) => {
  const { ecs } = await startTestEmulator(t);
  const register = (secrets: unknown, executionRoleArn: string | null = EXEC_ROLE) =>
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'bad',
        ...(executionRoleArn ? { executionRoleArn } : {}),
        // The SDK would refuse some of these itself; the emulator must too for raw callers.
        containerDefinitions: [{ name: 'c', image: 'x', memory: 8, secrets } as never],
      }),
    );
  await t.rejects(register([{ name: 'A', valueFrom: '/a' }], null), {
    name: 'ClientException',
    message: "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
  });
  await t.rejects(register([{ valueFrom: '/a' }]), { name: 'InvalidParameterException', message: /secrets\[0\]\.name should not be null or empty/ });
  await t.rejects(register([{ name: 'A', valueFrom: '' }]), { name: 'InvalidParameterException', message: /valueFrom should not be null or empty/ });
  await t.rejects(register([{ name: 'A', valueFrom: 'arn:aws:s3:::bucket/key' }]), { name: 'InvalidParameterException', message: /neither a Secrets Manager secret ARN nor an SSM parameter/ });
  await t.rejects(register([{ name: 'A', valueFrom: `${ASM_ARN}:key-only` }]), { name: 'InvalidParameterException' });
  await t.rejects(register({ name: 'A' }), { name: 'InvalidParameterException', message: /expected list/ });
  await t.resolves(register([], null), 'an empty list needs no role');
});
