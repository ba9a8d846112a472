/**
 * The ECR capabilities (spec §1.5): com.amazonaws.ecs.capability.ecr-auth and ecs.capability.execution-role-ecr-pull
 * with Docker API 1.19, ecs.capability.ecr-endpoint always, named and ordered as the official agent registers them.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../../src/agent/config/config.js';
import { capabilityAttributes } from '../../../../src/agent/registration/attributes.js';
import { haveTranscripts, TRANSCRIPTS_DIR } from '../../../kit/models.js';

const names = (apiVersions: string[], env: Record<string, string> = {}): string[] =>
  capabilityAttributes({
    config: loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ECS_EXTERNAL: 'true', ...env }, { configFile: '/nonexistent/x' }),
    apiVersions,
    firstRegistration: true,
  }).map((a) => a.name ?? '');

const ECR = ['com.amazonaws.ecs.capability.ecr-auth', 'ecs.capability.execution-role-ecr-pull', 'ecs.capability.ecr-endpoint'];

t.test('ECR pulls are advertised with Docker API 1.19, the endpoint override always', async (t) => {
  const all = names(['1.17', '1.18', '1.19', '1.24']);
  for (const n of ECR) t.ok(all.includes(n), n);
  const old = names(['1.17', '1.18']);
  t.notOk(old.includes('com.amazonaws.ecs.capability.ecr-auth'), 'no ecr-auth below API 1.19');
  t.notOk(old.includes('ecs.capability.execution-role-ecr-pull'));
  t.ok(old.includes('ecs.capability.ecr-endpoint'));
});

t.test('the ECR attributes sit where the official registration has them', { skip: !haveTranscripts && 'no transcripts' }, async (t) => {
  const file = path.join(TRANSCRIPTS_DIR, 'ecs-api/0001-RegisterContainerInstance.json');
  const official = ((JSON.parse(readFileSync(file, 'utf8')) as { body: { attributes: { name: string }[] } }).body.attributes).map((a) => a.name);
  for (const n of ECR) t.ok(official.includes(n), `${n} is an official attribute`);
  const ours = names(['1.17', '1.18', '1.19', '1.20', '1.21', '1.22', '1.23', '1.24']).filter((n) => official.includes(n));
  const officialOrder = official.filter((n) => ours.includes(n));
  t.same(ours, officialOrder, 'berth registers the official attributes it has in the official order');
});
