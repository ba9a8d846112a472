/**
 * `npm run bench`: runs each benchmark, prints a table with every figure beside its baseline measured in the
 * same run, and writes bench/results/<name>.json.
 */
import { benchPayloadToRunning } from './payload-to-running.js';
import { printTable, writeResult } from './stats.js';

const RUNS = Number(process.env['BERTH_BENCH_RUNS'] ?? 20);

async function main(): Promise<void> {
  const r = await benchPayloadToRunning(RUNS);
  const targetMs = 15;
  printTable([
    { benchmark: 'payload -> RUNNING reported (berth)', runs: r.berth.runs, median_ms: r.berth.medianMs, p90_ms: r.berth.p90Ms },
    { benchmark: 'raw docker create+start (baseline)', runs: r.rawDocker.runs, median_ms: r.rawDocker.medianMs, p90_ms: r.rawDocker.p90Ms },
    { benchmark: `berth overhead at the median (target <= ${targetMs} ms)`, runs: '', median_ms: r.overheadMedianMs, p90_ms: '' },
  ]);
  const file = writeResult('payload-to-running', {
    name: 'payload-to-running',
    description: 'ACS PayloadMessage -> SubmitTaskStateChange RUNNING for one bridge task, vs raw docker create+start',
    date: new Date().toISOString(),
    runs: RUNS,
    berth: r.berth,
    baseline: { rawDockerCreateStart: r.rawDocker },
    overheadMedianMs: r.overheadMedianMs,
    targetOverheadMedianMs: targetMs,
    meetsTarget: r.overheadMedianMs <= targetMs,
  });
  console.log(`\nwrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
