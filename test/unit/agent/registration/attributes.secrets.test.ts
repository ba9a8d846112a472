import t from 'tap';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { capabilityAttributes } from '../../../../src/agent/registration/attributes.js';

const TRANSCRIPT = '../shared/transcripts/official-agent-1.72/ecs-api/0001-RegisterContainerInstance.json';

t.test('container secrets from Parameter Store and Secrets Manager are advertised under the official names, in the official order', async (t) => {
  const all = capabilityAttributes({
    config: loadConfig({ AWS_DEFAULT_REGION: 'us-west-2' }, { configFile: '/nonexistent/x' }),
    apiVersions: ['1.21', '1.24'],
    firstRegistration: true,
  }).map((a) => a.name ?? '');
  const ssm = 'ecs.capability.secrets.ssm.environment-variables';
  const asm = 'ecs.capability.secrets.asm.environment-variables';
  t.ok(all.includes(ssm) && all.includes(asm));
  t.ok(all.includes('ecs.capability.secrets.ssm.bootstrap.log-driver') && all.includes('ecs.capability.secrets.asm.bootstrap.log-driver'), 'log driver secrets (secretOptions) too');
  let official: string[];
  try {
    official = [...readFileSync(TRANSCRIPT, 'utf8').matchAll(/ecs\.capability\.[a-z0-9.-]+/g)].map((m) => m[0]);
  } catch {
    t.comment('no official transcript here: the names are not compared with it');
    return;
  }
  t.ok(official.includes(ssm) && official.includes(asm), 'the names are the official agent');
  const order = (list: string[]) => ['ecs.capability.private-registry-authentication.secretsmanager', ssm, 'ecs.capability.secrets.ssm.bootstrap.log-driver', 'ecs.capability.ecr-endpoint', asm, 'ecs.capability.secrets.asm.bootstrap.log-driver', 'ecs.capability.container-ordering'].map((n) => list.indexOf(n));
  const ours = order(all);
  t.same([...ours].sort((a, b) => a - b), ours, 'same relative order as the official registration');
  const theirs = order(official);
  t.same([...theirs].sort((a, b) => a - b), theirs);
});
