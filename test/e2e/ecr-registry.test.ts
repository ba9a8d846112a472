/**
 * The emulator's own ECR registry, as a user works with it: create-repository, `aws ecr get-login-password |
 * docker login`, `docker build` and `docker push` to the repositoryUri, describe-images, then a task that pulls
 * the image through the agent's ECR path and reports the digest the registry served. Tag immutability and a
 * lifecycle policy are enforced on real pushes and pulls; everything survives an emulator restart.
 * docker runs with a DOCKER_CONFIG of the test's own, so the host's docker login is never touched.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { startEmulator } from '../../src/emulator/index.js';
import { awsCli, awsCliOk, haveAwsCli, type Json } from '../kit/aws-cli.js';
import { startStack, testLogger, waitFor } from '../kit/harness.js';
import { haveRegistryTools } from '../kit/registry.js';
import { waitUntil } from '../kit/wait.js';

const run = promisify(execFile);
const EXEC_ROLE = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole';
const skip = !haveRegistryTools ? 'needs docker-registry' : !haveAwsCli() ? 'aws CLI not on PATH' : false;

/** docker with the test's own config dir (its login), optionally with stdin. */
async function dockerAs(config: string, args: string[], input?: string): Promise<{ code: number; out: string }> {
  const child = execFile('docker', args, { env: { ...process.env, DOCKER_CONFIG: config }, maxBuffer: 16 * 1024 * 1024 });
  if (input !== undefined) child.stdin?.end(input);
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  return { code, out };
}

/** Builds a one-file image FROM the local test image; returns its local tag. */
async function build(dir: string, tag: string, content: string): Promise<void> {
  const ctx = path.join(dir, `ctx-${tag.replace(/[^a-z0-9]/gi, '_')}`);
  mkdirSync(ctx, { recursive: true });
  writeFileSync(path.join(ctx, 'hello.txt'), content);
  writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM berth/busybox:latest\nCOPY hello.txt /hello.txt\n');
  await run('docker', ['build', '-q', '-t', tag, ctx]);
}

async function login(url: string, config: string, host: string): Promise<void> {
  const password = (await run('aws', ['--endpoint-url', url, 'ecr', 'get-login-password'], { env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_DEFAULT_REGION: 'us-east-1' } })).stdout.trim();
  const done = await dockerAs(config, ['login', '--username', 'AWS', '--password-stdin', host], password);
  if (done.code !== 0) throw new Error(`docker login failed: ${done.out}`);
}

/** Builds, pushes and removes the local copy; returns the digest the push reported. */
async function push(dir: string, config: string, ref: string, content: string): Promise<{ code: number; out: string; digest?: string }> {
  await build(dir, ref, content);
  const pushed = await dockerAs(config, ['push', ref]);
  await run('docker', ['rmi', '-f', ref]).catch(() => undefined);
  const digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed.out)?.[1];
  return { ...pushed, ...(digest ? { digest } : {}) };
}

t.test('push to the built-in ECR registry and run a task from it', { skip }, async (t) => {
  const stack = await startStack(t, { name: 'ecr-reg', portRange: '58500-58599', emulator: { ecrRegistry: {} } });
  const url = stack.emulator.url;
  const ecr = (...args: string[]) => awsCliOk(url, ['ecr', ...args]);
  const config = path.join(stack.dir, 'docker-config');
  mkdirSync(config, { recursive: true });

  const created = (await ecr('create-repository', '--repository-name', 'team/web'))['repository'] as Json;
  const uri = created['repositoryUri'] as string;
  t.match(uri, /^127\.0\.0\.1:\d+\/team\/web$/, 'a loopback registry address docker accepts as printed');
  t.match(created, { repositoryArn: 'arn:aws:ecr:us-east-1:000000000000:repository/team/web', registryId: '000000000000', imageTagMutability: 'MUTABLE', encryptionConfiguration: { encryptionType: 'AES256' } });
  const host = uri.slice(0, uri.indexOf('/'));
  const denied = await dockerAs(config, ['pull', `${uri}:v1`]);
  t.not(denied.code, 0, 'no pull before docker login');

  await login(url, config, host);
  const pushed = await push(stack.dir, config, `${uri}:v1`, `hello ${process.pid} ${Date.now()}`);
  t.equal(pushed.code, 0, pushed.out);
  const described = ((await ecr('describe-images', '--repository-name', 'team/web'))['imageDetails'] as Json[]);
  t.equal(described.length, 1);
  t.match(described[0], { imageTags: ['v1'], imageDigest: pushed.digest, imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json', registryId: '000000000000' });
  t.ok((described[0]!['imageSizeInBytes'] as number) > 0, 'with its size');
  t.rejects(run('docker', ['image', 'inspect', `${uri}:v1`]), 'the local copy is gone');

  await stack.ecs.send(new RegisterTaskDefinitionCommand({ family: 'ecr-web', executionRoleArn: EXEC_ROLE, containerDefinitions: [{ name: 'web', image: `${uri}:v1`, memory: 32, essential: true, command: ['sleep', '3600'] }] }));
  const arn = (await stack.ecs.send(new RunTaskCommand({ cluster: stack.cluster, taskDefinition: 'ecr-web' }))).tasks![0]!.taskArn!;
  const task = await waitFor('the task RUNNING', async () => {
    const d = (await stack.ecs.send(new DescribeTasksCommand({ cluster: stack.cluster, tasks: [arn] }))).tasks![0]!;
    if (d.lastStatus === 'STOPPED') throw new Error(`stopped: ${d.containers?.[0]?.reason ?? d.stoppedReason ?? ''}`);
    return d.lastStatus === 'RUNNING' ? d : undefined;
  }, 60_000);
  t.equal(task.containers?.[0]?.imageDigest, pushed.digest, 'DescribeTasks reports the digest the registry served');

  // A repository that does not exist: the pull fails with ECS's CannotPullContainerError.
  await stack.ecs.send(new RegisterTaskDefinitionCommand({ family: 'ecr-missing', executionRoleArn: EXEC_ROLE, containerDefinitions: [{ name: 'web', image: `${host}/nope:v1`, memory: 32, essential: true }] }));
  const missing = (await stack.ecs.send(new RunTaskCommand({ cluster: stack.cluster, taskDefinition: 'ecr-missing' }))).tasks![0]!.taskArn!;
  const failed = await waitFor('the task STOPPED', async () => {
    const d = (await stack.ecs.send(new DescribeTasksCommand({ cluster: stack.cluster, tasks: [missing] }))).tasks![0]!;
    return d.lastStatus === 'STOPPED' ? d : undefined;
  }, 60_000);
  t.match(failed.containers?.[0]?.reason, /^CannotPullContainerError/, 'a missing repository is a CannotPullContainerError');

  await t.test('IMMUTABLE: a push that would move a tag is refused and the tag keeps its digest', async (t) => {
    await ecr('create-repository', '--repository-name', 'imm', '--image-tag-mutability', 'IMMUTABLE');
    const first = await push(stack.dir, config, `${host}/imm:v1`, `first ${Date.now()}`);
    t.equal(first.code, 0, first.out);
    const second = await push(stack.dir, config, `${host}/imm:v1`, `second ${Date.now()}`);
    t.not(second.code, 0, 'refused');
    t.match(second.out, /tag invalid|cannot be overwritten because the repository is immutable/);
    const images = (await ecr('describe-images', '--repository-name', 'imm'))['imageDetails'] as Json[];
    t.same(images.filter((i) => (i['imageTags'] as string[] | undefined)?.includes('v1')).map((i) => i['imageDigest']), [first.digest], 'v1 still names the first image');
  });

  await t.test('a lifecycle policy keeps the newest 2 v* images; the preview lists the same ones first', async (t) => {
    await ecr('create-repository', '--repository-name', 'lc');
    const digests: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const p = await push(stack.dir, config, `${host}/lc:v${i}`, `lc ${i} ${Date.now()}`);
      t.equal(p.code, 0, p.out);
      digests.push(p.digest!);
    }
    const policy = JSON.stringify({ rules: [{ rulePriority: 1, description: 'keep 2', selection: { tagStatus: 'tagged', tagPatternList: ['v*'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }] });
    await ecr('start-lifecycle-policy-preview', '--repository-name', 'lc', '--lifecycle-policy-text', policy);
    const preview = await ecr('get-lifecycle-policy-preview', '--repository-name', 'lc');
    t.equal(preview['status'], 'COMPLETE');
    t.same((preview['previewResults'] as Json[]).map((r) => r['imageTags']).sort(), [['v1'], ['v2'], ['v3']], 'the three oldest would expire');
    await ecr('put-lifecycle-policy', '--repository-name', 'lc', '--lifecycle-policy-text', policy);
    const left = await waitUntil('the policy to expire 3 images', async () => {
      const images = (await ecr('describe-images', '--repository-name', 'lc'))['imageDetails'] as Json[];
      return images.length === 2 ? images : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    t.same(left.map((i) => i['imageTags']).sort(), [['v4'], ['v5']]);
    const expired = await dockerAs(config, ['pull', `${host}/lc:v1`]);
    t.not(expired.code, 0, 'an expired image cannot be pulled');
    const byDigest = await dockerAs(config, ['pull', `${host}/lc@${digests[0]}`]);
    t.not(byDigest.code, 0, 'not even by digest');
    const kept = await dockerAs(config, ['pull', `${host}/lc:v5`]);
    t.equal(kept.code, 0, kept.out);
    await run('docker', ['rmi', '-f', `${host}/lc:v5`]).catch(() => undefined);
  });

  await t.test('bad input gets ECR exception types', async (t) => {
    const fail = async (args: string[], pattern: RegExp) => {
      const r = await awsCli(url, ['ecr', ...args]);
      t.notOk(r.ok);
      if (!r.ok) t.match(r.error, pattern, args.join(' '));
    };
    await fail(['create-repository', '--repository-name', 'team/web'], /\(RepositoryAlreadyExistsException\).*The repository with name 'team\/web' already exists in the registry with id '000000000000'/);
    await fail(['create-repository', '--repository-name', 'Upper'], /\(InvalidParameterException\).*Invalid parameter at 'repositoryName' failed to satisfy constraint/);
    await fail(['describe-images', '--repository-name', 'nope'], /\(RepositoryNotFoundException\).*The repository with name 'nope' does not exist/);
    await fail(['delete-repository', '--repository-name', 'team/web'], /\(RepositoryNotEmptyException\)/);
    await fail(['get-lifecycle-policy', '--repository-name', 'team/web'], /\(LifecyclePolicyNotFoundException\)/);
    await fail(['describe-images', '--repository-name', 'team/web', '--image-ids', 'imageTag=v9'], /\(ImageNotFoundException\)/);
    const deleted = await ecr('batch-delete-image', '--repository-name', 'team/web', '--image-ids', 'imageTag=v9', 'imageTag=v1');
    t.same((deleted['failures'] as Json[]).map((f) => f['failureCode']), ['ImageNotFound']);
    t.same((deleted['imageIds'] as Json[]).map((i) => i['imageTag']), ['v1']);
    t.same((await ecr('list-images', '--repository-name', 'team/web'))['imageIds'], [], 'its last tag went, so the image did');
    t.match((await ecr('delete-repository', '--repository-name', 'imm', '--force'))['repository'], { repositoryName: 'imm' }, '--force deletes a repository with images');
  });
});

t.test('repositories, images and policies survive an emulator restart, and a push after it works', { skip }, async (t) => {
  const dir = t.testdir();
  const config = path.join(dir, 'docker-config');
  mkdirSync(config, { recursive: true });
  const first = await startEmulator({ port: 0, dataDir: path.join(dir, 'emulator'), log: testLogger(), ecrRegistry: {} });
  let closed = false;
  t.teardown(async () => {
    if (!closed) await first.close();
  });
  const uri = (((await awsCliOk(first.url, ['ecr', 'create-repository', '--repository-name', 'keep']))['repository'] as Json)['repositoryUri'] as string);
  const host = uri.slice(0, uri.indexOf('/'));
  await login(first.url, config, host);
  const before = await push(dir, config, `${uri}:one`, `keep ${Date.now()}`);
  t.equal(before.code, 0, before.out);
  const policy = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }] });
  await awsCliOk(first.url, ['ecr', 'put-lifecycle-policy', '--repository-name', 'keep', '--lifecycle-policy-text', policy]);
  await first.close();
  closed = true;

  // The same data dir: the registry comes back on the same port (emulator port + 1 would differ: give it).
  const port = Number(host.split(':')[1]);
  const second = await startEmulator({ port: 0, dataDir: path.join(dir, 'emulator'), log: testLogger(), ecrRegistry: { port } });
  t.teardown(() => second.close());
  const images = (await awsCliOk(second.url, ['ecr', 'describe-images', '--repository-name', 'keep']))['imageDetails'] as Json[];
  t.same(images.map((i) => [i['imageTags'], i['imageDigest']]), [[['one'], before.digest]], 'the image is still there');
  t.equal((await awsCliOk(second.url, ['ecr', 'get-lifecycle-policy', '--repository-name', 'keep']))['lifecyclePolicyText'], policy, 'and the policy');
  const pulled = await dockerAs(config, ['pull', `${uri}:one`]);
  t.equal(pulled.code, 0, `the old login still works: ${pulled.out}`);
  await run('docker', ['rmi', '-f', `${uri}:one`]).catch(() => undefined);
  const after = await push(dir, config, `${uri}:two`, `after ${Date.now()}`);
  t.equal(after.code, 0, after.out);
});
