import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI_ARGS, REPO, berthEnv } from '../../kit/run-berth.js';

function node(args: string[], env: NodeJS.ProcessEnv = berthEnv()): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, { env, cwd: REPO });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/**
 * Allocates ~30 MB of objects that survive their first scavenges, like loading the agent's libraries, and prints
 * how many MB the new space grew meanwhile (tsx has loaded before the script runs, so the start is not V8's minimum).
 */
const youngGenerationGrowth = (setup: string): string => `
  import v8 from 'node:v8';
  ${setup}
  const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
  const before = young();
  const keep = [];
  for (let i = 0; i < 300_000; i++) keep.push({ i, s: 'x' + i, a: [i, i] });
  console.log(JSON.stringify({ grew: young() - before, kept: keep.length }));`;

t.test("the agent keeps V8's young generation from growing, unless the operator sized it", async (t) => {
  const heapTs = pathToFileURL(path.join(REPO, 'src/cli/heap.ts')).href;
  const run = async (setup: string, flags: string[] = []): Promise<number> => {
    const res = await node([...flags, '--import', 'tsx', '--input-type=module', '-e', youngGenerationGrowth(setup)]);
    t.equal(res.code, 0, res.stderr);
    return (JSON.parse(res.stdout) as { grew: number }).grew;
  };
  const applied = `import { keepYoungGenerationSmall } from '${heapTs}'; if (!keepYoungGenerationSmall([], undefined)) throw new Error('not applied');`;
  const [grown, kept, operator] = await Promise.all([
    run(''),
    run(applied),
    run(`import { keepYoungGenerationSmall } from '${heapTs}'; if (keepYoungGenerationSmall(process.execArgv, undefined)) throw new Error('overrode the operator');`, ['--max-semi-space-size=4']),
  ]);
  t.ok(grown >= 8, `without it V8 grows the new space (by ${grown} MB)`);
  t.equal(kept, 0, 'with it the new space does not grow');
  t.ok(operator > 0, `--max-semi-space-size=4 on the command line wins (the new space grew by ${operator} MB)`);
});

t.test("berth agent loads neither the emulator, pino-pretty nor prom-client, and applies the young-generation setting", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-cli-imports-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'resolved.txt');
  writeFileSync(path.join(dir, 'hook.mjs'), `import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(out, r.url + '\\n');
  return r;
}`);
  // At exit, after the command ran: does the new space still grow under ~30 MB of surviving objects?
  writeFileSync(path.join(dir, 'register.mjs'), `import { register } from 'node:module';
import v8 from 'node:v8';
register(${JSON.stringify(pathToFileURL(path.join(dir, 'hook.mjs')).href)}, { data: ${JSON.stringify(out)} });
process.on('exit', () => {
  const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
  const before = young();
  const keep = [];
  for (let i = 0; i < 300_000; i++) keep.push({ i, s: 'x' + i, a: [i, i] });
  process.stderr.write('new space grew by ' + (young() - before) + ' MB (' + keep.length + ')\\n');
});`);
  // --print-config loads the whole agent (src/cli/agent.ts imports it) and exits without Docker or a control plane.
  const res = await node(['--import', path.join(dir, 'register.mjs'), ...CLI_ARGS, 'agent', '--print-config'],
    berthEnv({ AWS_DEFAULT_REGION: 'us-east-1', ECS_CLUSTER: 'imports' }));
  t.equal(res.code, 0, res.stderr);
  const resolved = readFileSync(out, 'utf8');
  t.match(resolved, /src\/agent\/agent\.ts/, 'the hook saw the agent load');
  for (const unwanted of ['/src/emulator/', '/node_modules/pino-pretty/', '/node_modules/prom-client/']) {
    t.notOk(resolved.includes(unwanted), `does not load ${unwanted}`);
  }
  t.match(res.stderr, /new space grew by 0 MB/, 'src/cli.ts hands node its options, so the agent command keeps the young generation small');
});
