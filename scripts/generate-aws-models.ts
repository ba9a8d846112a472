/**
 * Generates `src/emulator/<service>/model.generated.ts` from botocore's JSON models (the aws CLI's own, so the
 * emulator and the CLI that drives it agree): for the operations berth serves, the request types (TypeScript
 * interfaces), a `<Service>Operations` map from operation name to request type, the union of the service's error
 * codes, and the runtime shapes the protocol kit checks requests against (src/emulator/aws/model.ts).
 *
 *   npx tsx scripts/generate-aws-models.ts          # regenerate every service below (needs python3 + botocore)
 *
 * The output is committed: builds and CI never need botocore. Rerun it when an operation is added to SERVICES.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceModel, Shape, ShapeType } from '../src/emulator/aws/model.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Target {
  /** botocore service name. */
  botocore: string;
  /** Folder under src/emulator/. */
  dir: string;
  /** Identifier prefix of the generated names (`SecretsManager` -> SecretsManagerOperations, ...). */
  prefix: string;
  operations: readonly string[];
}

const SERVICES: readonly Target[] = [
  { botocore: 'secretsmanager', dir: 'secretsmanager', prefix: 'SecretsManager', operations: ['CreateSecret', 'GetSecretValue', 'DescribeSecret', 'DeleteSecret', 'ListSecrets'] },
  { botocore: 'ssm', dir: 'ssm', prefix: 'Ssm', operations: ['PutParameter', 'GetParameters', 'GetParameter', 'DeleteParameter'] },
  {
    botocore: 'ecr', dir: 'ecr', prefix: 'Ecr',
    operations: [
      'GetAuthorizationToken', 'CreateRepository', 'DescribeRepositories', 'DeleteRepository', 'ListImages', 'DescribeImages', 'BatchGetImage',
      'BatchDeleteImage', 'PutImage', 'PutImageTagMutability', 'PutImageScanningConfiguration', 'PutLifecyclePolicy', 'GetLifecyclePolicy',
      'DeleteLifecyclePolicy', 'StartLifecyclePolicyPreview', 'GetLifecyclePolicyPreview', 'SetRepositoryPolicy', 'GetRepositoryPolicy',
      'DeleteRepositoryPolicy', 'TagResource', 'UntagResource', 'ListTagsForResource', 'DescribeRegistry', 'StartImageScan',
      'DescribeImageScanFindings',
    ],
  },
  {
    botocore: 'logs', dir: 'logs', prefix: 'Logs',
    operations: [
      'CreateLogGroup', 'DeleteLogGroup', 'DescribeLogGroups', 'PutRetentionPolicy', 'DeleteRetentionPolicy', 'CreateLogStream', 'DeleteLogStream',
      'DescribeLogStreams', 'PutLogEvents', 'GetLogEvents', 'FilterLogEvents', 'TagResource', 'UntagResource', 'ListTagsForResource',
      'TagLogGroup', 'UntagLogGroup', 'ListTagsLogGroup',
    ],
  },
  {
    botocore: 'ecs', dir: 'ecs', prefix: 'Ecs',
    operations: [
      'CreateCluster', 'DescribeClusters', 'ListClusters', 'RegisterTaskDefinition', 'DescribeTaskDefinition', 'RunTask', 'StopTask', 'DescribeTasks',
      'ListTasks', 'RegisterContainerInstance', 'DescribeContainerInstances', 'ListContainerInstances', 'DiscoverPollEndpoint', 'SubmitTaskStateChange',
      'SubmitContainerStateChange', 'SubmitAttachmentStateChanges', 'ListTagsForResource', 'CreateService', 'UpdateService', 'DeleteService',
      'DescribeServices', 'ListServices', 'StartTask', 'UpdateContainerInstancesState', 'DeregisterContainerInstance', 'PutAttributes', 'DeleteAttributes',
      'ListAttributes', 'TagResource', 'UntagResource', 'DeregisterTaskDefinition', 'DeleteTaskDefinitions', 'ListTaskDefinitions',
      'ListTaskDefinitionFamilies', 'DeleteCluster', 'UpdateCluster', 'UpdateClusterSettings', 'GetTaskProtection', 'UpdateTaskProtection',
      'CreateCapacityProvider', 'UpdateCapacityProvider', 'DeleteCapacityProvider', 'DescribeCapacityProviders', 'PutClusterCapacityProviders',
    ],
  },
];

/** The parts of a botocore service-2.json the generator reads. */
export interface BotocoreModel {
  metadata: { serviceId: string; apiVersion: string; targetPrefix?: string; jsonVersion?: string; protocol: string };
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, BotocoreShape>;
}

interface BotocoreShape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  exception?: boolean;
}

const SHAPE_TYPES: readonly ShapeType[] = ['structure', 'list', 'map', 'string', 'integer', 'long', 'float', 'double', 'boolean', 'timestamp', 'blob'];

/** Shapes reachable from the inputs of `operations`. */
function reachable(model: BotocoreModel, operations: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const s = model.shapes[name]!;
    for (const m of Object.values(s.members ?? {})) visit(m.shape);
    if (s.member) visit(s.member.shape);
    if (s.value) visit(s.value.shape);
  };
  for (const op of operations) {
    const input = model.operations[op]?.input?.shape;
    if (input) visit(input);
  }
  return [...seen].sort();
}

/** A botocore (Java) pattern that JavaScript can compile the same way, else undefined. */
function jsPattern(pattern: string | undefined): string | undefined {
  if (pattern === undefined) return undefined;
  try {
    new RegExp(`^(?:${pattern})$`, 'u');
    return pattern;
  } catch {
    return undefined;
  }
}

/** The runtime model of `operations` (what the protocol kit checks requests against). */
export function toServiceModel(model: BotocoreModel, operations: readonly string[]): ServiceModel {
  const md = model.metadata;
  if (md.protocol !== 'json' || !md.targetPrefix) throw new Error(`${md.serviceId}: not an AWS JSON service`);
  const shapes: Record<string, Shape> = {};
  for (const name of reachable(model, operations)) {
    const s = model.shapes[name]!;
    if (!SHAPE_TYPES.includes(s.type as ShapeType)) throw new Error(`${md.serviceId}: shape ${name} has type ${s.type}`);
    const pattern = jsPattern(s.pattern);
    shapes[name] = {
      type: s.type as ShapeType,
      ...(s.members ? { members: Object.fromEntries(Object.entries(s.members).map(([k, v]) => [k, v.shape])) } : {}),
      ...(s.required?.length ? { required: s.required } : {}),
      ...(s.member ? { member: s.member.shape } : {}),
      ...(s.value ? { value: s.value.shape } : {}),
      ...(s.enum ? { enum: s.enum } : {}),
      ...(s.min !== undefined ? { min: s.min } : {}),
      ...(s.max !== undefined ? { max: s.max } : {}),
      ...(pattern !== undefined ? { pattern } : {}),
    };
  }
  return {
    serviceId: md.serviceId,
    apiVersion: md.apiVersion,
    targetPrefix: md.targetPrefix,
    jsonVersion: md.jsonVersion === '1.0' ? '1.0' : '1.1',
    allOperations: Object.keys(model.operations).sort(),
    operations: Object.fromEntries(operations.map((op) => {
      if (!model.operations[op]) throw new Error(`${md.serviceId} has no operation ${op}`);
      return [op, model.operations[op]!.input?.shape];
    })),
    shapes,
  };
}

const RESERVED = new Set(['String', 'Number', 'Boolean', 'Object', 'Array', 'Date', 'Map', 'Set', 'Record', 'Error', 'Function', 'Symbol', 'Promise']);
const typeName = (shape: string): string => (RESERVED.has(shape) ? `${shape}Shape` : shape);

function tsType(model: BotocoreModel, name: string): string {
  const s = model.shapes[name]!;
  switch (s.type) {
    case 'structure':
      return typeName(name);
    case 'list':
      return `Array<${tsType(model, s.member!.shape)}>`;
    case 'map':
      return `Record<string, ${tsType(model, s.value!.shape)}>`;
    case 'string':
      return s.enum ? s.enum.map((e) => JSON.stringify(e)).join(' | ') : 'string';
    case 'blob':
      return 'string';
    case 'boolean':
      return 'boolean';
    default:
      return 'number';
  }
}

export function generate(model: BotocoreModel, target: Target, source: string): string {
  const runtime = toServiceModel(model, target.operations);
  const structures = Object.keys(runtime.shapes).filter((n) => runtime.shapes[n]!.type === 'structure');
  const errors = Object.entries(model.shapes).filter(([, s]) => s.exception).map(([n]) => n).sort();
  const lines: string[] = [
    `// Generated by scripts/generate-aws-models.ts from ${source}. Do not edit.`,
    `import type { ServiceModel } from '../aws/model.js';`,
    '',
    `/** Every error code ${model.metadata.serviceId}'s model lists. */`,
    `export type ${target.prefix}ModelErrorCode =\n${errors.map((e) => `  | ${JSON.stringify(e)}`).join('\n')};`,
    '',
  ];
  for (const name of structures) {
    const s = model.shapes[name]!;
    const required = new Set(s.required ?? []);
    if (Object.keys(s.members ?? {}).length === 0) {
      lines.push(`export type ${typeName(name)} = Record<string, never>;`, '');
      continue;
    }
    lines.push(`export interface ${typeName(name)} {`);
    for (const [member, ref] of Object.entries(s.members ?? {})) {
      lines.push(`  ${member}${required.has(member) ? '' : '?'}: ${tsType(model, ref.shape)};`);
    }
    lines.push('}', '');
  }
  lines.push(`/** Operation name -> its request type. */`, `export interface ${target.prefix}Operations {`);
  for (const op of target.operations) {
    const input = model.operations[op]!.input?.shape;
    lines.push(`  ${op}: ${input ? typeName(input) : 'Record<string, never>'};`);
  }
  lines.push('}', '');
  lines.push(`export const ${target.prefix.toUpperCase()}_MODEL: ServiceModel = ${JSON.stringify(runtime, null, 2)};`, '');
  return lines.join('\n');
}

/** botocore's own JSON for a service (the aws CLI's copy). */
export function loadBotocoreModel(service: string): { model: BotocoreModel; version: string } {
  const out = execFileSync('python3', ['-c', [
    'import json, sys, botocore, botocore.loaders as l',
    'm = l.Loader().load_service_model(sys.argv[1], "service-2")',
    'print(json.dumps({"version": botocore.__version__, "model": m}))',
  ].join('\n'), service], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out) as { model: BotocoreModel; version: string };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  for (const target of SERVICES) {
    const { model, version } = loadBotocoreModel(target.botocore);
    const file = path.join(REPO, 'src/emulator', target.dir, 'model.generated.ts');
    writeFileSync(file, generate(model, target, `botocore ${version} ${target.botocore} ${model.metadata.apiVersion}`));
    process.stdout.write(`wrote ${path.relative(REPO, file)}\n`);
  }
}
