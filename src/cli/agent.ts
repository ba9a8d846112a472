/** `berth agent`: run the agent, or one of its one-shot modes (--healthcheck, --print-config, --version). */
import { loadConfig, startAgent } from '../agent/index.js';
import { RotatingFile } from '../agent/logfiles/rotating-file.js';
import { AGENT_VERSION } from '../agent/config/version.js';
import { COMMON_OPTIONS, parseCommandArgs } from './args.js';
import { healthcheck } from './healthcheck.js';
import { EXIT, type CliIo } from './io.js';
import { cliLogger } from './logging.js';
import { sdNotify } from './notify.js';
import { shutdownSignal } from './signals.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  healthcheck: { type: 'boolean' },
  config: { type: 'string' },
  'print-config': { type: 'boolean' },
  version: { type: 'boolean' },
} as const;

/** The config file: --config, else BERTH_CONFIG_FILE, else /etc/ecs/ecs.config (loadConfig's own default). */
function configFileOf(flag: string | undefined): { configFile?: string } {
  return flag === undefined ? {} : { configFile: flag };
}

export async function agentCommand(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseCommandArgs('agent', args, OPTIONS);
  if (flags.version) {
    io.stdout.write(`berth agent ${AGENT_VERSION}\n`);
    return EXIT.ok;
  }
  if (flags.healthcheck) {
    // A health check needs no region; it reads the ports, the data dir and DOCKER_HOST.
    const config = loadConfig({ AWS_DEFAULT_REGION: 'unused-by-healthcheck', ...io.env }, configFileOf(flags.config));
    const result = await healthcheck(config, io.env['ECS_AGENT_HEALTHCHECK_HOST'] || 'localhost');
    (result.code === 0 ? io.stdout : io.stderr).write(`${result.line}\n`);
    return result.code;
  }
  const config = loadConfig(io.env, configFileOf(flags.config));
  if (flags['print-config']) {
    io.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    return EXIT.ok;
  }
  // ECS_LOGFILE: opened before the logger so a bad path fails the start with a clear error.
  const logFile = config.logFile === undefined ? undefined : new RotatingFile({
    file: config.logFile,
    rotation: config.logRotation,
    onError: (err) => io.stderr.write(`berth: cannot write ECS_LOGFILE ${config.logFile}: ${(err as Error).message}\n`),
  });
  logFile?.open();
  const log = await cliLogger(flags, io, flags['log-level'] ?? config.logLevel, logFile);
  // SIGTERM while still waiting for Docker or ACS ends startup cleanly too.
  const startup = new AbortController();
  const signalled = shutdownSignal({ onRepeat: (sig) => log.warn({ signal: sig }, 'already stopping; containers keep running') }).then((sig) => {
    startup.abort(new Error(`${sig} during startup`));
    return 'signal' as const;
  });
  let agent;
  try {
    agent = await startAgent({ config, log, signal: startup.signal });
  } catch (err) {
    if (!startup.signal.aborted) throw err;
    log.info('stopped before startup completed');
    return EXIT.ok;
  }
  log.info({ containerInstanceArn: agent.containerInstanceArn }, 'agent ready');
  await sdNotify({ ready: true, status: `registered as ${agent.containerInstanceArn}` }, io.env, log);
  const outcome = await Promise.race([signalled, agent.done]);
  await sdNotify({ stopping: true }, io.env, log);
  if (outcome === 'signal') {
    log.info('shutting down: containers keep running');
    await agent.close();
    return EXIT.ok;
  }
  return outcome;
}
