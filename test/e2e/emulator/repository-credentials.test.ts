/**
 * repositoryCredentials on the control-plane side: RegisterTaskDefinition keeps and validates them, and the
 * ACS payload carries registryAuthentication {type asm} for that container plus the task's execution role
 * credentials (the agent reads the secret with them).
 */
import t from 'tap';
import { RegisterTaskDefinitionCommand, RunTaskCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { startTestEmulator } from '../../kit/emulator.js';
import { FakeAgent } from '../../kit/fake-agent.js';
import { clusterWithInstance } from '../../kit/emulator-fixtures.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-3:123456789012:secret:registry/creds-AbCdEf';
const EXEC_ROLE = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';

t.test('a task with repositoryCredentials is sent with registryAuthentication and execution role credentials', async (t) => {
  const { emu, ecs } = await startTestEmulator(t);
  const { cluster, instanceArn } = await clusterWithInstance(ecs, { memory: 512 });
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'private',
      executionRoleArn: EXEC_ROLE,
      containerDefinitions: [
        { name: 'by-arn', image: 'registry.example:5000/app:1', memory: 32, repositoryCredentials: { credentialsParameter: SECRET_ARN } },
        { name: 'by-name', image: 'registry.example:5000/app:1', memory: 32, repositoryCredentials: { credentialsParameter: 'registry/creds' } },
        { name: 'public', image: 'busybox', memory: 32 },
      ],
    }),
  );
  const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'private' }));
  t.same(described.taskDefinition?.containerDefinitions?.[0]?.repositoryCredentials, { credentialsParameter: SECRET_ARN }, 'kept as registered');
  t.equal(described.taskDefinition?.executionRoleArn, EXEC_ROLE);

  const agent = await FakeAgent.connect(emu.url, cluster, instanceArn);
  t.teardown(() => agent.close());
  await ecs.send(new RunTaskCommand({ cluster, taskDefinition: 'private' }));
  const payload = await agent.nextPayload();
  const task = payload.tasks![0]!;
  const byName = (n: string) => task.containers!.find((c) => c.name === n)!;
  t.same(byName('by-arn').registryAuthentication, { type: 'asm', asmAuthData: { credentialsParameter: SECRET_ARN, region: 'eu-west-3' } }, "an ARN's own region");
  t.same(byName('by-name').registryAuthentication, { type: 'asm', asmAuthData: { credentialsParameter: 'registry/creds', region: 'us-east-1' } }, "a name: the task's region");
  t.notOk(byName('public').registryAuthentication, 'only the containers that ask for it');
  t.equal(task.executionRoleCredentials?.roleArn, EXEC_ROLE);
  t.match(task.executionRoleCredentials?.accessKeyId, /^ASIA/);
  t.type(task.executionRoleCredentials?.credentialsId, 'string');
});

t.test('malformed repositoryCredentials are refused at registration', async (t) => {
  const { ecs } = await startTestEmulator(t);
  const register = (repositoryCredentials: unknown) =>
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'bad',
        // The SDK would refuse some of these itself; the emulator must too for raw callers.
        containerDefinitions: [{ name: 'c', image: 'x', memory: 8, repositoryCredentials } as never],
      }),
    );
  await t.rejects(register({ credentialsParameter: '' }), { name: 'InvalidParameterException', message: /credentialsParameter should not be null or empty/ });
  await t.rejects(register({}), { name: 'InvalidParameterException' });
  await t.rejects(register({ credentialsParameter: 'arn:aws:ssm:us-east-1:123456789012:parameter/x' }), { name: 'InvalidParameterException', message: /not a valid Secrets Manager secret ARN/ });
});
