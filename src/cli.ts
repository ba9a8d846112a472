#!/usr/bin/env node
/**
 * `berth agent | emulator | up`: the only place that reads argv and calls process.exit.
 */
import { parseArgs } from 'node:util';
import { createLogger, type Logger } from './shared/log.js';
import { BerthError, errorMessage } from './shared/errors.js';
import { runUp } from './up.js';

const USAGE = `berth — an Amazon ECS container agent and a local ECS control plane

Usage:
  berth agent                       run the container agent (configured by ECS_* env vars and /etc/ecs/ecs.config)
  berth emulator [--port P] [--host H] [--data-dir D] [--region R]
                                    run the local ECS control plane (ECS JSON 1.1 API, ACS and TCS websockets)
  berth up [--port P] [--data-dir D] [--cluster C]
                                    run the emulator and an agent for this host together (what 'npm start' runs)
  berth --help | --version

Exit codes: 0 clean, 1 transient failure (restart me), 5 terminal failure (bad config, cluster/attribute mismatch).
`;

const VERSION = '0.1.0';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`berth ${VERSION}\n`);
    return 0;
  }
  const log = createLogger({ level: process.env['ECS_LOGLEVEL'] ?? process.env['BERTH_LOG_LEVEL'] ?? 'info' });
  switch (command) {
    case 'agent':
      return runAgentCommand(log);
    case 'emulator':
      return runEmulatorCommand(rest, log);
    case 'up':
      return runUpCommand(rest, log);
    default:
      process.stderr.write(`berth: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

/** Resolves on the first SIGINT/SIGTERM. */
function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals): void => resolve(sig);
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

async function runAgentCommand(log: Logger): Promise<number> {
  const { loadConfig, startAgent } = await import('./agent/index.js');
  const config = loadConfig(process.env);
  const agent = await startAgent({ config, log });
  const outcome = await Promise.race([shutdownSignal().then(() => 'signal' as const), agent.done]);
  if (outcome === 'signal') {
    log.info('shutting down: containers keep running');
    await agent.close();
    return 0;
  }
  return outcome;
}

async function runEmulatorCommand(args: string[], log: Logger): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '8800' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string', default: '.berth/emulator' },
      region: { type: 'string', default: 'us-east-1' },
    },
    strict: true,
  });
  const port = parsePort(values.port);
  const { startEmulator } = await import('./emulator/index.js');
  const emulator = await startEmulator({
    port,
    host: values.host,
    dataDir: values['data-dir'],
    region: values.region,
    log,
  });
  process.stdout.write(`berth emulator listening on ${emulator.url}\n`);
  await shutdownSignal();
  await emulator.close();
  return 0;
}

async function runUpCommand(args: string[], log: Logger): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '8800' },
      'data-dir': { type: 'string', default: '.berth' },
      cluster: { type: 'string', default: 'default' },
      region: { type: 'string', default: 'us-east-1' },
    },
    strict: true,
  });
  const up = await runUp({
    port: parsePort(values.port),
    dataDir: values['data-dir'],
    cluster: values.cluster,
    region: values.region,
    env: process.env,
    log,
    print: (line) => process.stdout.write(`${line}\n`),
  });
  const outcome = await Promise.race([shutdownSignal().then(() => 'signal' as const), up.done]);
  await up.close();
  return outcome === 'signal' ? 0 : outcome;
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new BerthError('ConfigError', `invalid port '${raw}': expected an integer 0-65535`);
  }
  return port;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const terminal = err instanceof BerthError && !err.retriable;
    process.stderr.write(`berth: ${err instanceof BerthError ? `${err.code}: ` : ''}${errorMessage(err)}\n`);
    process.exit(terminal ? 5 : 1);
  },
);
