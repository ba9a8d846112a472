/**
 * The aws CLI as a user runs it against the emulator (tests skip when it is absent: `skipWithoutAwsCli`).
 * Answers come back parsed, or as the CLI's own error text ("An error occurred (Code) when calling the Op
 * operation: message"); the CLI runs asynchronously, so an emulator in the test's process keeps serving.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type Json = Record<string, unknown>;
export type CliResult = { ok: true; out: Json } | { ok: false; error: string };

let present: boolean | undefined;

export function haveAwsCli(): boolean {
  if (present === undefined) {
    try {
      execFileSync('aws', ['--version'], { stdio: 'ignore' });
      present = true;
    } catch {
      present = false;
    }
  }
  return present;
}

/** For `t.test(name, skipWithoutAwsCli(), fn)`. */
export function skipWithoutAwsCli(): { skip: string | false } {
  return { skip: haveAwsCli() ? false : 'aws CLI not on PATH' };
}

/** `aws --endpoint-url <url> --output json <args...>` with throwaway credentials, no retries and no pager. */
export async function awsCli(url: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    const { stdout } = await run('aws', ['--endpoint-url', url, '--output', 'json', ...args], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_PAGER: '',
        AWS_MAX_ATTEMPTS: '1',
        ...env,
      },
      // Answers such as 10,000 log events are several MB of pretty-printed JSON.
      maxBuffer: 64 * 1024 * 1024,
    });
    return { ok: true, out: stdout.trim() ? (JSON.parse(stdout) as Json) : {} };
  } catch (err) {
    return { ok: false, error: String((err as { stderr?: string }).stderr ?? err).trim() };
  }
}

/** `awsCli`, and the parsed answer; a CLI error throws with its text. */
export async function awsCliOk(url: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Json> {
  const r = await awsCli(url, args, env);
  if (!r.ok) throw new Error(`aws ${args.slice(0, 2).join(' ')} failed: ${r.error}`);
  return r.out;
}
