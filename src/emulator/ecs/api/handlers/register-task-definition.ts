import { ecsOperation } from '../service.js';
import { clientError, invalidParameter } from '../../errors.js';
import { fargateProblem } from '../fargate-rules.js';
import { isRecord } from '../../validate.js';
import { checkTags } from '../tags.js';
import { taskDefinitionView } from '../views.js';
import { checkContainerSecrets, requireExecutionRole } from '../../container-secrets.js';

const NETWORK_MODES = ['bridge', 'host', 'awsvpc', 'none'] as const;

/** repositoryCredentials {credentialsParameter}: a Secrets Manager secret name or ARN, read by the agent at pull. */
function checkRepositoryCredentials(v: unknown, i: number): void {
  if (v === undefined) return;
  const where = `containerDefinitions[${i}].repositoryCredentials`;
  if (!isRecord(v)) throw invalidParameter(`Invalid type for parameter ${where}: expected structure`);
  const p = v['credentialsParameter'];
  if (typeof p !== 'string' || p === '') throw invalidParameter(`${where}.credentialsParameter should not be null or empty.`);
  if (p.startsWith('arn:') && !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(p)) {
    throw invalidParameter(`${where}.credentialsParameter is not a valid Secrets Manager secret ARN: ${p}`);
  }
}

/** Returns whether any container has secrets (they need an execution role). */
/** ECS's quotas: containers per task definition, and the size of the definition. */
const MAX_CONTAINERS = 10;
const MAX_DEFINITION_BYTES = 64 * 1024;
const CONTAINER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
// Control characters (a newline would add a line to /etc/hosts or the environment) and '=' in a variable name.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function checkContainerFields(d: Record<string, unknown>, i: number): void {
  const env = d['environment'];
  if (Array.isArray(env)) {
    for (const e of env) {
      const name = isRecord(e) ? e['name'] : undefined;
      if (typeof name === 'string' && (name.includes('=') || CONTROL.test(name))) {
        throw clientError(`Invalid environment variable name '${name.replace(CONTROL, '?')}' in containerDefinitions[${i}]: names cannot contain '=' or control characters.`);
      }
    }
  }
  const hosts = d['extraHosts'];
  if (Array.isArray(hosts)) {
    for (const h of hosts) {
      const fields = isRecord(h) ? [h['hostname'], h['ipAddress']] : [];
      if (fields.some((f) => typeof f === 'string' && (CONTROL.test(f) || /\s/.test(f)))) {
        throw clientError(`Invalid extraHosts entry in containerDefinitions[${i}]: hostname and ipAddress cannot contain whitespace or control characters.`);
      }
    }
  }
}

function checkContainerDefinitions(defs: unknown[]): boolean {
  if (defs.length === 0) throw invalidParameter('containerDefinitions must contain at least one container.');
  if (defs.length > MAX_CONTAINERS) throw clientError(`Too many containers: a task definition can have at most ${MAX_CONTAINERS} containers.`);
  const names = new Set<string>();
  let secrets = false;
  defs.forEach((d, i) => {
    if (!isRecord(d)) throw invalidParameter(`Invalid type for parameter containerDefinitions[${i}]: expected structure`);
    if (typeof d['name'] !== 'string' || d['name'] === '') throw invalidParameter('Container.name should not be null or empty.');
    if (typeof d['image'] !== 'string' || d['image'] === '') throw invalidParameter('Container.image should not be null or empty.');
    if (!CONTAINER_NAME.test(d['name'])) {
      throw clientError(`Invalid container name '${d['name'].slice(0, 64).replace(CONTROL, '?')}': up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.`);
    }
    checkContainerFields(d, i);
    for (const k of ['cpu', 'memory', 'memoryReservation'] as const) {
      if (d[k] !== undefined && !Number.isInteger(d[k])) {
        throw invalidParameter(`Invalid type for parameter containerDefinitions[${i}].${k}: expected integer`);
      }
    }
    checkRepositoryCredentials(d['repositoryCredentials'], i);
    if (checkContainerSecrets(d['secrets'], i)) secrets = true;
    const logConfiguration = d['logConfiguration'];
    if (isRecord(logConfiguration) && checkContainerSecrets(logConfiguration['secretOptions'], i, 'logConfiguration.secretOptions')) secrets = true;
    if (names.has(d['name'])) throw invalidParameter(`Duplicate container name: ${d['name']}`);
    names.add(d['name']);
  });
  return secrets;
}

/** requiresCompatibilities: known values; FARGATE only for a definition Fargate accepts (fargate-rules.ts). */
function checkRequiredCompatibilities(body: Record<string, unknown>): void {
  const wanted = (body['requiresCompatibilities'] ?? []) as string[];
  for (const c of wanted) {
    if (c !== 'EC2' && c !== 'FARGATE' && c !== 'EXTERNAL') throw invalidParameter(`requiresCompatibilities ${c} is not emulated by berth (EC2, FARGATE and EXTERNAL are).`);
  }
  if (wanted.includes('FARGATE')) {
    const problem = fargateProblem(body);
    if (problem !== undefined) throw clientError(problem);
  }
  if (wanted.includes('EXTERNAL') && body['networkMode'] === 'awsvpc') {
    throw clientError("External instances do not support network mode 'awsvpc'.");
  }
}

/** Revisions count up per family; the whole request (minus tags) is stored and echoed. */
ecsOperation('RegisterTaskDefinition', {
  notEmulated: ['proxyConfiguration', 'inferenceAccelerators', 'ephemeralStorage', 'enableFaultInjection'],
  input: {
    family: { type: 'string', required: true },
    containerDefinitions: { type: 'list', required: true, of: 'structure' },
    networkMode: { type: 'string', enum: NETWORK_MODES },
    cpu: { type: 'string' },
    memory: { type: 'string' },
    volumes: { type: 'list', of: 'structure' },
    requiresCompatibilities: { type: 'list', of: 'string' },
    taskRoleArn: { type: 'string' },
    executionRoleArn: { type: 'string' },
    placementConstraints: { type: 'list', of: 'structure', max: 10 },
    pidMode: { type: 'string', enum: ['host', 'task'] },
    ipcMode: { type: 'string', enum: ['host', 'task', 'none'] },
    runtimePlatform: { type: 'structure' },
    tags: { type: 'list', of: 'structure' },
  },
  handle(ctx, input) {
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(input.family)) {
      throw invalidParameter('Family can only contain letters, numbers, hyphens and underscores.');
    }
    if (checkContainerDefinitions(input.containerDefinitions)) requireExecutionRole(input);
    const { tags: rawTags, ...body } = input;
    const tags = checkTags(rawTags);
    const revision = ctx.store.maxRevision(input.family) + 1;
    const td = {
      arn: ctx.arns.taskDefinition(input.family, revision),
      family: input.family,
      revision,
      status: 'ACTIVE' as const,
      registeredAt: ctx.now(),
      body,
      tags,
    };
    checkRequiredCompatibilities(td.body);
    const size = Buffer.byteLength(JSON.stringify(td.body));
    if (size > MAX_DEFINITION_BYTES) throw clientError(`The task definition is ${size} bytes; ECS allows at most ${MAX_DEFINITION_BYTES} bytes (64 KiB).`);
    ctx.store.putTaskDefinition(td);
    return { taskDefinition: taskDefinitionView(td), tags };
  },
});
