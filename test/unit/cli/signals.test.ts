/**
 * Shutdown signals in a child process (tap's own process handles SIGINT itself): the first of SIGINT, SIGTERM and
 * SIGHUP starts the shutdown; each later one is reported to the command and never falls back to Node's default
 * action, so a second Ctrl-C, or the copy of the first that `npm start` forwards, cannot kill berth half-way.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SHUTDOWN_SIGNALS } from '../../../src/cli/signals.js';
import { waitFor } from '../../kit/harness.js';
import { REPO } from '../../kit/run-berth.js';

const CHILD = `
import { shutdownSignal } from ${JSON.stringify(path.join(REPO, 'src/cli/signals.ts'))};
// Signal listeners do not keep Node alive; stdin does (a command's servers do that job).
process.stdin.once('data', () => process.exit(0));
const stopping = shutdownSignal({ onRepeat: (s, n) => console.log('repeat', s, n) });
console.log('ready');
console.log('stopping', await stopping);
`;

for (const first of SHUTDOWN_SIGNALS) {
  t.test(`${first} starts the shutdown; every later signal is reported, never fatal`, async (t) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { cwd: REPO });
    t.teardown(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const saw = (line: string) => waitFor(line, async () => (out.includes(`${line}\n`) ? true : undefined), 20_000);
    await saw('ready');
    child.kill(first);
    await saw(`stopping ${first}`);
    for (const [i, again] of SHUTDOWN_SIGNALS.entries()) {
      child.kill(again);
      await saw(`repeat ${again} ${i + 2}`);
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdin.write('\n');
    t.equal(await exited, 0, 'alive until the command itself ends');
  });
}
