/**
 * ECS's limits on task definitions, each refused with a ClientException and nothing stored: at most 10 containers,
 * at most 64 KiB, container names of letters, digits, - and _, no control characters (a newline would add a line to
 * /etc/hosts or the environment) and no '=' in environment variable names.
 */
import t from 'tap';
import { ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { startTestEmulator } from '../../kit/emulator.js';

const c = (over: Partial<ContainerDefinition> = {}): ContainerDefinition => ({ name: 'web', image: 'busybox', memory: 16, ...over });

t.test('task definitions beyond ECS limits are refused and not stored', async (t) => {
  const { ecs } = await startTestEmulator(t);
  const refused: [string, ContainerDefinition[], RegExp][] = [
    ['11 containers', Array.from({ length: 11 }, (_, i) => c({ name: `c${i}` })), /at most 10 containers/],
    ['over 64 KiB', [c({ command: ['sh', '-c', 'x'.repeat(70_000)] })], /at most 65536 bytes/],
    ['a name with a dot', [c({ name: 'web.1' })], /Invalid container name 'web\.1'/],
    ['a name with a path', [c({ name: '../etc' })], /Invalid container name/],
    ['a newline in extraHosts', [c({ extraHosts: [{ hostname: 'a\n10.0.0.9 evil', ipAddress: '10.0.0.1' }] })], /extraHosts/],
    ["'=' in an environment name", [c({ environment: [{ name: 'A=B', value: 'x' }] })], /Invalid environment variable name 'A=B'/],
    ['a control character in an environment name', [c({ environment: [{ name: 'A\nB', value: 'x' }] })], /Invalid environment variable name/],
  ];
  for (const [what, containerDefinitions, message] of refused) {
    await t.rejects(ecs.send(new RegisterTaskDefinitionCommand({ family: 'limits', containerDefinitions })), { name: 'ClientException', message }, what);
  }
  t.same((await ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns, [], 'nothing was stored');
  const ten = await ecs.send(new RegisterTaskDefinitionCommand({ family: 'limits', containerDefinitions: Array.from({ length: 10 }, (_, i) => c({ name: `c_${i}-x` })) }));
  t.equal(ten.taskDefinition?.containerDefinitions?.length, 10, 'ten containers are fine');
});
