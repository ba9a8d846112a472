import t from 'tap';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { capabilityAttributes, supportedApiVersions } from '../../../../src/agent/registration/attributes.js';

const names = (env: Record<string, string>, dockerLogDrivers?: string[]): string[] =>
  capabilityAttributes({
    config: loadConfig({ AWS_DEFAULT_REGION: 'us-east-1', ...env }, { configFile: '/nonexistent/x' }),
    apiVersions: supportedApiVersions('1.12', '1.41'),
    firstRegistration: true,
    dockerLogDrivers,
  }).map((a) => a.name ?? '');

const DRIVER = 'com.amazonaws.ecs.capability.logging-driver.';

t.test('only the log drivers Docker has are advertised (none needs no plugin)', async (t) => {
  const env = { ECS_AVAILABLE_LOGGING_DRIVERS: '["json-file","awslogs","splunk","none"]' };
  const docker = names(env, ['json-file', 'awslogs', 'local']).filter((n) => n.startsWith(DRIVER));
  t.same(docker, [`${DRIVER}json-file`, `${DRIVER}awslogs`, `${DRIVER}none`], 'splunk is configured but Docker lacks it');
  const unknown = names(env).filter((n) => n.startsWith(DRIVER));
  t.same(unknown, [`${DRIVER}json-file`, `${DRIVER}awslogs`, `${DRIVER}splunk`, `${DRIVER}none`], 'a runtime that does not say is trusted, as the official agent trusts its config');
});

t.test('execution-role-awslogs follows ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE, on by default as ecs-init sets it', async (t) => {
  t.ok(names({}).includes('ecs.capability.execution-role-awslogs'));
  t.notOk(names({ ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE: 'false' }).includes('ecs.capability.execution-role-awslogs'));
});
