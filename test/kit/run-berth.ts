/** Runs the CLI the way a user does (node + tsx on src/cli.ts), asynchronously so in-process servers keep serving. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_ARGS = ['--import', 'tsx', path.join(REPO, 'src/cli.ts')];

export interface BerthResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no config file, no AWS keys from the test machine; `env` adds to it. */
export function berthEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], HOME: process.env['HOME'], BERTH_CONFIG_FILE: '/nonexistent/berth-cli-test', ...env };
}

export function spawnBerth(args: string[], env: NodeJS.ProcessEnv = berthEnv()): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...CLI_ARGS, ...args], { env, cwd: REPO });
}

export function runBerth(args: string[], env: NodeJS.ProcessEnv = berthEnv(), timeoutMs = 30_000): Promise<BerthResult> {
  const child = spawnBerth(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: dropNodeWarnings(stderr) });
    });
  });
}

/** The AWS SDK prints a multi-line Node version notice on stderr; it is not berth's output. */
export function dropNodeWarnings(stderr: string): string {
  return stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?to show where the warning was created\)\n/g, '');
}
