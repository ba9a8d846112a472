// Runs inside the image build (stage `app`, which has node but no shell): drops from /app/node_modules what a
// production agent never loads: typings, source maps, docs, tests, and better-sqlite3's C sources and objects.
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const root = process.argv.at(-1)?.startsWith('/') ? process.argv.at(-1) : '/app/node_modules';
const DROP_DIRS = new Set(['test', 'tests', '__tests__', 'docs', 'example', 'examples', 'dist-types', '.github']);
const DROP_FILE = /(\.d\.ts|\.d\.mts|\.d\.cts|\.map|\.md|\.markdown|\.ts\.map|LICENSE\.txt~|\.gyp|\.gypi|Makefile)$/i;
let removed = 0;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      if (DROP_DIRS.has(name)) {
        rmSync(p, { recursive: true, force: true });
        removed++;
      } else walk(p);
    } else if (DROP_FILE.test(name)) {
      rmSync(p, { force: true });
      removed++;
    }
  }
}

// The native addon needs only build/Release/better_sqlite3.node.
const sqlite = path.join(root, 'better-sqlite3');
for (const p of ['deps', 'src', 'build/deps']) rmSync(path.join(sqlite, p), { recursive: true, force: true });
const release = path.join(sqlite, 'build/Release');
for (const name of readdirSync(release)) {
  if (name !== 'better_sqlite3.node') rmSync(path.join(release, name), { recursive: true, force: true });
}
walk(root);
process.stdout.write(`image-prune: removed ${removed} paths under ${root}\n`);
