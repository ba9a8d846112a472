/** README.md's table of every agent variable is the one src/agent/config/vars.ts generates (step 5 of issue 23). */
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES, configVariablesMarkdown } from '../../../../src/agent/config/vars.js';
import { withConfigTable } from '../../../../scripts/update-readme-config.js';
import { REPO } from '../../../kit/run-berth.js';

t.test('the README lists every variable the agent reads, exactly as the registry says', async (t) => {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  t.equal(withConfigTable(readme), readme, 'up to date: run `npx tsx scripts/update-readme-config.ts` after changing src/agent/config/vars.ts');
  const table = configVariablesMarkdown();
  for (const v of CONFIG_VARIABLES) t.match(table, `| \`${v.name}\` |`, v.name);
});

t.test('a pipe in a default or a meaning does not break the table', async (t) => {
  for (const line of configVariablesMarkdown().split('\n').slice(2)) {
    t.equal(line.replace(/\\\|/g, '').split('|').length, 5, line);
  }
});
