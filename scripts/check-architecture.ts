/**
 * The import rules of ARCHITECTURE.md, run by `npm run lint`:
 *
 *   - the file rules of .dependency-cruiser.cjs (dependency-cruiser): no file cycles, agent <-> emulator never,
 *     shared/ imports neither side, the sides never import the command line, the services beside ECS never
 *     import ECS, the protocol and store kits know no service;
 *   - no cycle between folders: every folder is a node (its own files, not its subfolders), an import from a
 *     file in one folder to a file in another is an arrow, and the arrows form no loop. So a folder's files may
 *     use its subfolders, or its subfolders may use its files, never both; and two sibling folders never use
 *     each other.
 *
 * Usage: tsx scripts/check-architecture.ts [root]   (root defaults to the repository; it must hold src/)
 * Exit 0 when clean; 1 with one line per violation otherwise.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ArchitectureReport {
  /** One line per broken file rule: `<rule>: <from> -> <to>`. */
  ruleViolations: string[];
  /** One line per folder loop: the folders, then an import that closes each arrow. */
  folderCycles: string[];
}

/** Strongly connected components of more than one node (Tarjan). */
export function loops(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

function folderCycles(result: ICruiseResult): string[] {
  const edges = new Map<string, Set<string>>();
  const example = new Map<string, string>();
  for (const mod of result.modules) {
    if (!mod.source.startsWith('src/')) continue;
    const from = path.posix.dirname(mod.source);
    for (const dep of mod.dependencies) {
      if (!dep.resolved.startsWith('src/')) continue;
      const to = path.posix.dirname(dep.resolved);
      if (from === to) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
      if (!example.has(`${from} ${to}`)) example.set(`${from} ${to}`, `${mod.source} -> ${dep.resolved}`);
    }
  }
  return loops(edges).map((component) => {
    const inside = new Set(component);
    const arrows = component.flatMap((from) => [...(edges.get(from) ?? [])].filter((to) => inside.has(to)).map((to) => example.get(`${from} ${to}`)!));
    return `folder cycle: ${component.join(', ')} (${arrows.join('; ')})`;
  });
}

export async function checkArchitecture(root = REPO): Promise<ArchitectureReport> {
  const require = createRequire(import.meta.url);
  const config = require(path.join(REPO, '.dependency-cruiser.cjs')) as IConfiguration;
  const cwd = process.cwd();
  // dependency-cruiser reports paths relative to the working directory.
  process.chdir(root);
  try {
    const tsConfig = extractTSConfig(path.join(REPO, 'tsconfig.base.json'));
    const { output } = await cruise(['src'], {
      ...config.options,
      tsConfig: { fileName: path.join(REPO, 'tsconfig.base.json') },
      validate: true,
      ruleSet: { forbidden: config.forbidden ?? [] },
      outputType: 'json',
    }, {}, { tsConfig });
    const result = (typeof output === 'string' ? JSON.parse(output) : output) as ICruiseResult;
    const ruleViolations = (result.summary.violations ?? []).map((v) => {
      const via = v.cycle && v.cycle.length > 0 ? ` (${v.cycle.map((c) => c.name).join(' -> ')})` : '';
      return `${v.rule.name}: ${v.from} -> ${v.to}${via}`;
    });
    return { ruleViolations, folderCycles: folderCycles(result) };
  } finally {
    process.chdir(cwd);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(process.argv[2] ?? REPO);
  const report = await checkArchitecture(root);
  const lines = [...report.ruleViolations, ...report.folderCycles];
  for (const line of lines) process.stderr.write(`architecture: ${line}\n`);
  if (lines.length > 0) {
    process.stderr.write(`architecture: ${lines.length} violation(s); see ARCHITECTURE.md\n`);
    process.exit(1);
  }
  process.stdout.write('architecture: no violations\n');
}
