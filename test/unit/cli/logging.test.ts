import t, { type Test } from 'tap';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '../../kit/harness.js';
import { dropNodeWarnings, spawnBerth } from '../../kit/run-berth.js';

/** Starts `berth emulator` on a free port, waits until it listens, stops it with SIGTERM; returns its stderr. */
async function emulatorStderr(t: Test, extra: string[]): Promise<{ code: number | null; stderr: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-cli-logs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const child = spawnBerth(['emulator', '--port', '0', '--data-dir', dir, ...extra]);
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  await waitFor('the emulator to listen', async () => (stdout.includes('listening on') ? true : undefined), 20_000);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr: dropNodeWarnings(stderr) };
}

t.test('logs are JSON lines by default when stderr is not a terminal', async (t) => {
  const { code, stderr } = await emulatorStderr(t, []);
  t.equal(code, 0, 'SIGTERM exits 0');
  const lines = stderr.trim().split('\n');
  t.ok(lines.length >= 2, 'a start and a stop line');
  for (const line of lines) {
    const entry = JSON.parse(line) as { level: number; msg: string; time: string };
    t.type(entry.level, 'number');
    t.type(entry.msg, 'string');
  }
  t.match(stderr, /"msg":"emulator listening"/);
});

t.test('--pretty renders logs for humans, and --log-level filters them', async (t) => {
  const pretty = await emulatorStderr(t, ['--pretty']);
  t.equal(pretty.code, 0);
  t.match(pretty.stderr, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO.*: emulator listening/m);
  t.notMatch(pretty.stderr, /^\{"level"/m, 'no JSON lines');
  const quiet = await emulatorStderr(t, ['--log-level', 'warn']);
  t.equal(quiet.stderr, '', 'nothing below warn');
});
