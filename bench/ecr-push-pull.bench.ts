/**
 * docker push and pull of a 50 MB image through the emulator's ECR front (token check, repository and tag
 * bookkeeping, http-proxy-3 streaming) vs the same against the distribution registry behind it, directly, in the
 * same run (target: within 1.1x). Each figure is the median of a few rounds; the local copy is removed before every
 * pull so the layers really travel. docker uses a DOCKER_CONFIG of the benchmark's own.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startEmulator } from '../src/emulator/index.js';
import { silentLogger } from '../src/shared/log.js';
import { quantile, type BenchOutcome } from './stats.js';

export const name = 'ecr-push-pull';
const ROUNDS = Number(process.env['BERTH_BENCH_ECR_ROUNDS'] ?? 3);
const SIZE_MB = 50;
const TARGET = 1.1;
const exec = promisify(execFile);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const median = (xs: number[]): number => Math.round(quantile([...xs].sort((a, b) => a - b), 0.5));

export async function run(): Promise<BenchOutcome> {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-bench-ecr-'));
  const config = path.join(dir, 'docker-config');
  mkdirSync(config, { recursive: true });
  const env = { ...process.env, DOCKER_CONFIG: config, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_DEFAULT_REGION: 'us-east-1' };
  const docker = (...args: string[]) => exec('docker', args, { env, maxBuffer: 64 * 1024 * 1024 });
  const emu = await startEmulator({ port: 0, dataDir: path.join(dir, 'emulator'), log: silentLogger(), ecrRegistry: {} });
  const images: string[] = [];
  try {
    const aws = (...args: string[]) => exec('aws', ['--endpoint-url', emu.url, '--output', 'json', ...args], { env });
    await aws('ecr', 'create-repository', '--repository-name', 'bench');
    const front = emu.ecrRegistry!;
    const password = (await aws('ecr', 'get-login-password')).stdout.trim();
    const login = execFile('docker', ['login', '--username', 'AWS', '--password-stdin', front], { env });
    login.stdin?.end(password);
    if ((await new Promise((r) => login.on('close', r))) !== 0) throw new Error('docker login failed');
    // The registry behind the front, straight (no auth): its address is in the config the emulator wrote.
    const upstream = /addr: (127\.0\.0\.1:\d+)/.exec(readFileSync(path.join(dir, 'emulator/ecr/registry/config.yml'), 'utf8'))![1]!;

    const pushMs: { front: number[]; direct: number[] } = { front: [], direct: [] };
    const pullMs: { front: number[]; direct: number[] } = { front: [], direct: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so caches and warm-up favour neither. Both share the registry's storage, so
      // each way gets a 50 MB layer of its own (random bytes: no compression, no "layer already exists").
      const order: ('front' | 'direct')[] = round % 2 === 0 ? ['front', 'direct'] : ['direct', 'front'];
      const refs = { front: `${front}/bench:r${round}`, direct: `${upstream}/bench:r${round}` };
      for (const way of order) {
        const ctx = path.join(dir, `ctx-${way}-${round}`);
        mkdirSync(ctx, { recursive: true });
        writeFileSync(path.join(ctx, 'blob'), randomBytes(SIZE_MB * 1024 * 1024));
        writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM berth/busybox:latest\nCOPY blob /blob\n');
        await docker('build', '-q', '-t', refs[way], ctx);
        images.push(refs[way]);
        pushMs[way].push(await timed(() => docker('push', refs[way])));
      }
      for (const way of order) {
        await docker('rmi', '-f', refs[way]).catch(() => undefined);
        pullMs[way].push(await timed(() => docker('pull', refs[way])));
        await docker('rmi', '-f', refs[way]).catch(() => undefined);
      }
    }
    const rows = [
      { measure: `docker push ${SIZE_MB} MB, straight to the registry (baseline)`, rounds: ROUNDS, median_ms: median(pushMs.direct), ratio: '' },
      { measure: `docker push ${SIZE_MB} MB through the ECR front (target <= ${TARGET}x)`, rounds: ROUNDS, median_ms: median(pushMs.front), ratio: (median(pushMs.front) / median(pushMs.direct)).toFixed(2) },
      { measure: `docker pull ${SIZE_MB} MB, straight from the registry (baseline)`, rounds: ROUNDS, median_ms: median(pullMs.direct), ratio: '' },
      { measure: `docker pull ${SIZE_MB} MB through the ECR front (target <= ${TARGET}x)`, rounds: ROUNDS, median_ms: median(pullMs.front), ratio: (median(pullMs.front) / median(pullMs.direct)).toFixed(2) },
    ];
    return {
      rows,
      result: {
        description: `${SIZE_MB} MB single-layer image, docker push / pull on loopback; median of ${ROUNDS} rounds, order alternated`,
        pushMs: { front: median(pushMs.front), direct: median(pushMs.direct), ratio: median(pushMs.front) / median(pushMs.direct) },
        pullMs: { front: median(pullMs.front), direct: median(pullMs.direct), ratio: median(pullMs.front) / median(pullMs.direct) },
        target: TARGET,
      },
    };
  } finally {
    for (const image of images) await docker('rmi', '-f', image).catch(() => undefined);
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
