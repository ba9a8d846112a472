/**
 * `npm run bench [name ...]`: runs every bench/*.bench.ts (or the named ones), prints one table per benchmark
 * with each figure beside its baseline measured in the same run, and writes bench/results/<name>.json.
 *
 * A benchmark module exports `name` and `run(): Promise<BenchOutcome>`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { printTable, writeResult, type BenchOutcome } from './stats.js';

interface BenchModule {
  name: string;
  run(): Promise<BenchOutcome>;
}

const here = path.dirname(fileURLToPath(import.meta.url));

async function main(only: string[]): Promise<void> {
  const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
  let failed = false;
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(here, file)).href)) as BenchModule;
    if (only.length > 0 && !only.includes(mod.name)) continue;
    console.log(`\n== ${mod.name}`);
    try {
      const outcome = await mod.run();
      printTable(outcome.rows);
      const out = writeResult(mod.name, { name: mod.name, date: new Date().toISOString(), ...outcome.result });
      console.log(`wrote ${path.relative(process.cwd(), out)}`);
    } catch (err) {
      failed = true;
      console.error(`benchmark ${mod.name} failed:`, err);
    }
  }
  if (failed) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
