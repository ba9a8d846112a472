/**
 * The architecture lint (scripts/check-architecture.ts, run by `npm run lint`): the real tree is clean, and a
 * small source tree per rule shows that the rule fails when broken.
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkArchitecture, loops } from '../../../scripts/check-architecture.js';
import { REPO } from '../../kit/run-berth.js';

/** A throwaway tree: `files` maps a path under the root (src/...) to its text. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'berth-arch-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

const use = (spec: string, name = 'x'): string => `import { ${name} } from '${spec}';\nexport const y = ${name};\n`;
const leaf = 'export const x = 1;\n';

t.test('the repository itself has no violation', async (t) => {
  const report = await checkArchitecture();
  t.same(report.ruleViolations, []);
  t.same(report.folderCycles, []);
});

const cases: Array<{ rule: string; files: Record<string, string>; expect: RegExp }> = [
  {
    rule: 'a folder cycle',
    files: {
      'src/agent/a/one.ts': use('../b/two.js'),
      'src/agent/b/two.ts': leaf,
      'src/agent/b/three.ts': use('../a/four.js'),
      'src/agent/a/four.ts': leaf,
    },
    expect: /^folder cycle: src\/agent\/a, src\/agent\/b \(src\/agent\/a\/one\.ts -> src\/agent\/b\/two\.ts; src\/agent\/b\/three\.ts -> src\/agent\/a\/four\.ts\)$/,
  },
  {
    rule: 'a parent folder and its child using each other',
    files: {
      'src/emulator/index.ts': use('./ecs/handler.js'),
      'src/emulator/context.ts': leaf,
      'src/emulator/ecs/handler.ts': use('../context.js'),
    },
    expect: /^folder cycle: src\/emulator, src\/emulator\/ecs /,
  },
  {
    rule: 'a file cycle',
    files: {
      'src/agent/engine/a.ts': `import { b } from './b.js';\nexport const a = (): number => b();\n`,
      'src/agent/engine/b.ts': `import { a } from './a.js';\nexport const b = (): number => a();\n`,
    },
    expect: /^no-file-cycle: src\/agent\/engine\/a\.ts -> src\/agent\/engine\/b\.ts/,
  },
  {
    rule: 'the agent importing the emulator',
    files: { 'src/agent/x.ts': use('../emulator/y.js'), 'src/emulator/y.ts': leaf },
    expect: /^agent-not-emulator: src\/agent\/x\.ts -> src\/emulator\/y\.ts$/,
  },
  {
    rule: 'the emulator importing the agent',
    files: { 'src/emulator/x.ts': use('../agent/y.js'), 'src/agent/y.ts': leaf },
    expect: /^emulator-not-agent: src\/emulator\/x\.ts -> src\/agent\/y\.ts$/,
  },
  {
    rule: 'shared/ importing a side',
    files: { 'src/shared/x.ts': use('../agent/y.js'), 'src/agent/y.ts': leaf },
    expect: /^shared-imports-neither-side: src\/shared\/x\.ts -> src\/agent\/y\.ts$/,
  },
  {
    rule: 'a side importing the command line',
    files: { 'src/agent/x.ts': use('../cli/y.js'), 'src/cli/y.ts': leaf },
    expect: /^sides-not-cli: src\/agent\/x\.ts -> src\/cli\/y\.ts$/,
  },
  {
    rule: 'a service beside ECS importing ECS',
    files: { 'src/emulator/ecr/x.ts': use('../ecs/y.js'), 'src/emulator/ecs/y.ts': leaf },
    expect: /^services-not-ecs: src\/emulator\/ecr\/x\.ts -> src\/emulator\/ecs\/y\.ts$/,
  },
  {
    rule: 'the protocol kit importing a service',
    files: { 'src/emulator/aws/x.ts': use('../ssm/y.js'), 'src/emulator/ssm/y.ts': leaf },
    expect: /^kit-not-services: src\/emulator\/aws\/x\.ts -> src\/emulator\/ssm\/y\.ts$/,
  },
];

for (const c of cases) {
  t.test(`fails on ${c.rule}`, async (t) => {
    const root = tree(c.files);
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    const report = await checkArchitecture(root);
    const lines = [...report.ruleViolations, ...report.folderCycles];
    t.ok(lines.some((l) => c.expect.test(l)), lines.join('\n') || '(no violation reported)');
  });
}

t.test('loops() finds every strongly connected group of more than one folder, and nothing else', async (t) => {
  const edges = new Map<string, Set<string>>([
    ['a', new Set(['b'])],
    ['b', new Set(['c'])],
    ['c', new Set(['a', 'd'])],
    ['d', new Set(['e'])],
    ['e', new Set()],
    ['f', new Set(['f'])],
  ]);
  t.same(loops(edges), [['a', 'b', 'c']]);
});

t.test('the one-clock rule: raw time and bare timers in src/ fail the lint; the clock itself, tests and new Date(ms) do not', async (t) => {
  const { ESLint } = await import('eslint');
  const eslint = new ESLint({ cwd: REPO });
  const ruleIds = async (code: string, filePath: string): Promise<string[]> => {
    const [result] = await eslint.lintText(code, { filePath: path.join(REPO, filePath) });
    return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
  };
  const cases: Array<[string, string]> = [
    ['export const t = Date.now();\n', 'no-restricted-properties'],
    ['export const t = performance.now();\n', 'no-restricted-properties'],
    ['export const d = new Date();\n', 'no-restricted-syntax'],
    ['setTimeout(() => undefined, 10);\n', 'no-restricted-globals'],
    ['export const i = setInterval(() => undefined, 10);\n', 'no-restricted-globals'],
  ];
  for (const [code, rule] of cases) t.same(await ruleIds(code, 'src/agent/engine/fixture.ts'), [rule], code.trim());
  t.same(await ruleIds('export const d = new Date(0).toISOString();\n', 'src/agent/engine/fixture.ts'), [], 'new Date(ms) for formatting is fine');
  t.same(await ruleIds('export const t = Date.now();\n', 'src/shared/clock.ts'), [], 'the clock reads the time');
  t.same(await ruleIds('export const t = Date.now();\n', 'test/fixture.test.ts'), [], 'tests may');
});
