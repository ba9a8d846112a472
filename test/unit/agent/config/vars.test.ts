import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../../../src/agent/config/vars.js';
import { REPO } from '../../../kit/run-berth.js';

/** Quoted environment names in src/agent/config/ (but the registry itself): everything loadConfig can read. */
function namesReadByConfig(): Set<string> {
  const dir = path.join(REPO, 'src/agent/config');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'vars.ts');
  const text = files.map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
  return new Set([...text.matchAll(/'((?:ECS|AWS|BERTH|DOCKER|NON_ECS|NONECS)_[A-Z0-9_]+)'/g)].map((m) => m[1]!));
}

t.test('every variable the config module reads is in the registry behind berth agent --help', async (t) => {
  const documented = new Set(CONFIG_VARIABLES.map((v) => v.name));
  const undocumented = [...namesReadByConfig()].filter((n) => !documented.has(n));
  t.same(undocumented, [], 'add these to CONFIG_VARIABLES in src/agent/config/vars.ts (name, default, one line of meaning)');
});

t.test('the registry lists nothing the agent does not read', async (t) => {
  const read = namesReadByConfig();
  const stale = CONFIG_VARIABLES.filter((v) => !v.cliOnly && !read.has(v.name)).map((v) => v.name);
  t.same(stale, [], 'remove these from src/agent/config/vars.ts or read them in src/agent/config/');
  const names = CONFIG_VARIABLES.map((v) => v.name);
  t.equal(new Set(names).size, names.length, 'no duplicates');
});
