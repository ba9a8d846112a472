/**
 * Tests you can find (ARCHITECTURE.md, "Where are the tests for X"): the tiers are top-level folders, and every
 * file under test/unit/ names the source it tests: `test/unit/<path>.test.ts` tests `src/<path>.ts` (or the
 * folder `src/<path>/`), `test/unit/<path>.<aspect>.test.ts` one aspect of it; `test/unit/scripts/` mirrors
 * `scripts/`.
 */
import t from 'tap';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './kit/run-berth.js';

const TIERS = ['unit', 'docker', 'e2e', 'serial', 'ship', 'kit'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** The source a unit test names, or undefined when it names none. */
export function sourceOf(unitTest: string): string | undefined {
  const rel = path.relative(path.join(REPO, 'test/unit'), unitTest).replace(/\.test\.ts$/, '');
  const first = path.basename(rel).split(".")[0];
  const base = path.join(path.dirname(rel), first!);
  const root = base.startsWith(`scripts${path.sep}`) ? REPO : path.join(REPO, 'src');
  for (const candidate of [`${base}.ts`, base]) if (existsSync(path.join(root, candidate))) return path.join(root, candidate);
  return undefined;
}

t.test('every file under test/unit/ names an existing source file or folder', async (t) => {
  const tests = filesUnder(path.join(REPO, 'test/unit')).filter((f) => f.endsWith('.test.ts'));
  t.ok(tests.length > 50, `${tests.length} unit test files`);
  const orphans = tests.filter((f) => sourceOf(f) === undefined).map((f) => path.relative(REPO, f));
  t.same(orphans, [], 'rename or move these so they name what they test');
});

t.test('the naming rule itself: a renamed source leaves its test an orphan', async (t) => {
  t.equal(sourceOf(path.join(REPO, 'test/unit/agent/engine/step.test.ts')), path.join(REPO, 'src/agent/engine/step.ts'));
  t.equal(sourceOf(path.join(REPO, 'test/unit/agent/engine/images.ecr.test.ts')), path.join(REPO, 'src/agent/engine/images.ts'), 'an aspect of a source');
  t.equal(sourceOf(path.join(REPO, 'test/unit/agent/acs/responders.test.ts')), path.join(REPO, 'src/agent/acs/responders'), 'a folder');
  t.equal(sourceOf(path.join(REPO, 'test/unit/scripts/check-architecture.test.ts')), path.join(REPO, 'scripts/check-architecture.ts'));
  t.equal(sourceOf(path.join(REPO, 'test/unit/agent/engine/no-such-module.test.ts')), undefined);
});

t.test('test/ holds only the tiers and the kit', async (t) => {
  const dirs = readdirSync(path.join(REPO, 'test')).filter((n) => statSync(path.join(REPO, 'test', n)).isDirectory()).sort();
  t.same(dirs, [...TIERS].sort());
});
