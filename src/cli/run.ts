/**
 * Dispatch and the error policy: whatever goes wrong is one line on stderr and an exit code
 * (2 bad command line, 5 bad configuration or another terminal error, 1 anything transient).
 */
import { AGENT_VERSION } from '../agent/config/version.js';
import { BerthError, errorMessage } from '../shared/errors.js';
import { keepYoungGenerationSmall } from './heap.js';
import { COMMAND_HELP, MAIN_HELP } from './help.js';
import { EXIT, UsageError, type CliIo } from './io.js';

/**
 * Each command's module is imported only when that command runs: `berth agent` must not load the emulator (and its
 * prom-client, OpenTelemetry API, ...) that `up` needs. That is several MB of RSS on a long-running agent.
 */
const COMMANDS: Record<string, (args: readonly string[], io: CliIo) => Promise<number>> = {
  agent: async (args, io) => {
    // Before the agent's modules load: that is when V8 would grow the young generation.
    if (io.execArgv !== undefined) keepYoungGenerationSmall(io.execArgv, io.env['NODE_OPTIONS']);
    return (await import('./agent.js')).agentCommand(args, io);
  },
  emulator: async (args, io) => (await import('./emulator.js')).emulatorCommand(args, io),
  up: async (args, io) => (await import('./up.js')).upCommand(args, io),
  logs: async (args, io) => (await import('./logs.js')).logsCommand(args, io),
  version: async (args, io) => {
    if (args.length > 0) throw new UsageError(`unexpected argument '${args[0]}'`, 'version');
    io.stdout.write(`berth ${AGENT_VERSION} (ECS agent protocol v1.72.0 compatible; node ${process.version})\n`);
    return EXIT.ok;
  },
};

const wantsHelp = (args: readonly string[]): boolean => args.includes('--help') || args.includes('-h');

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.stderr.write(MAIN_HELP);
    return EXIT.usage;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    const topic = rest[0];
    const help = topic === undefined ? undefined : COMMAND_HELP[topic];
    if (topic !== undefined && help === undefined) throw new UsageError(`no help for unknown command '${topic}'`, undefined);
    io.stdout.write(help ? help() : MAIN_HELP);
    return EXIT.ok;
  }
  if (command === '--version' || command === '-v') return COMMANDS['version']!([], io);
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (run === undefined) {
    const what = command.startsWith('-') ? `unknown option '${command}'` : `unknown command '${command}'`;
    throw new UsageError(`${what} (commands: ${Object.keys(COMMANDS).join(', ')})`, undefined);
  }
  if (wantsHelp(rest)) {
    io.stdout.write(COMMAND_HELP[command]!());
    return EXIT.ok;
  }
  return run(rest, io);
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      const where = err.command === undefined ? 'berth' : `berth ${err.command}`;
      io.stderr.write(`${where}: ${err.message} (see '${where} --help')\n`);
      return EXIT.usage;
    }
    const terminal = err instanceof BerthError && !err.retriable;
    const code = err instanceof BerthError ? `${err.code}: ` : '';
    io.stderr.write(`berth: ${code}${errorMessage(err).split('\n')[0]}\n`);
    return terminal ? EXIT.terminal : EXIT.transient;
  }
}
