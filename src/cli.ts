#!/usr/bin/env node
/**
 * `berth agent | emulator | up | version`: the only place that reads argv and process.env and calls
 * process.exit. Everything else lives in ./cli/ and gets the process's parts as a CliIo.
 */
import { runCli } from './cli/run.js';

runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stderrIsTTY: process.stderr.isTTY === true,
  execArgv: process.execArgv,
}).then(
  // Output to a pipe may still be queued (`berth logs | less` prints MBs): exit only once it is written.
  (code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code))),
  (err: unknown) => {
    process.stderr.write(`berth: ${String(err)}\n`);
    process.exit(1);
  },
);
