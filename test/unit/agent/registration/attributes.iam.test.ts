import t from 'tap';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { capabilityAttributes } from '../../../../src/agent/registration/attributes.js';

const names = (env: Record<string, string>): string[] =>
  capabilityAttributes({
    config: loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ...env }, { configFile: '/nonexistent/x' }),
    apiVersions: ['1.21', '1.24'],
    firstRegistration: true,
  }).map((a) => a.name ?? '');

t.test('the task IAM role capabilities follow ECS_ENABLE_TASK_IAM_ROLE and its host-network switch', async (t) => {
  const off = names({});
  t.notOk(off.includes('com.amazonaws.ecs.capability.task-iam-role'), 'off by default, like the official agent');
  t.notOk(off.includes('com.amazonaws.ecs.capability.task-iam-role-network-host'));
  const on = names({ ECS_ENABLE_TASK_IAM_ROLE: 'true', ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST: 'true' });
  t.ok(on.includes('com.amazonaws.ecs.capability.task-iam-role'));
  t.ok(on.includes('com.amazonaws.ecs.capability.task-iam-role-network-host'));
});

t.test('private registry credentials from Secrets Manager are advertised under the official attribute name', async (t) => {
  const all = names({});
  t.ok(all.includes('ecs.capability.private-registry-authentication.secretsmanager'));
  t.ok(all.indexOf('ecs.capability.private-registry-authentication.secretsmanager') < all.indexOf('ecs.capability.container-ordering'), 'before container-ordering, as in the official registration');
});
