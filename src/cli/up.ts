/** `berth up`: emulator + cluster + an agent for this host (src/up/index.ts does the work). */
import { runUp } from '../up/index.js';
import { COMMON_OPTIONS, parseCommandArgs, parsePort } from './args.js';
import { EXIT, type CliIo } from './io.js';
import { cliLogger } from './logging.js';
import { sdNotify } from './notify.js';
import { shutdownSignal } from './signals.js';
import { VPC_OPTIONS, vpcFromFlags } from './vpc.js';
import { ECR_OPTIONS, ecrFromFlags, ecrRegistryFromFlags } from './ecr.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  port: { type: 'string', default: '8800' },
  'data-dir': { type: 'string', default: '.berth' },
  cluster: { type: 'string', default: 'default' },
  region: { type: 'string', default: 'us-east-1' },
  ...VPC_OPTIONS,
  ...ECR_OPTIONS,
} as const;

export async function upCommand(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseCommandArgs('up', args, OPTIONS);
  const port = parsePort('up', flags.port);
  const vpc = vpcFromFlags('up', flags);
  const ecr = ecrFromFlags('up', flags, io.env);
  const ecrRegistry = ecrRegistryFromFlags('up', flags, io.env, ecr !== undefined);
  const log = await cliLogger(flags, io, flags['log-level'] ?? io.env['ECS_LOGLEVEL'] ?? 'info');
  // A terminal's Ctrl-C reaches both npm and berth, and npm forwards its copy: repeats are expected, never fatal.
  const stopped = shutdownSignal({ onRepeat: (sig) => log.warn({ signal: sig }, 'already stopping; task containers keep running') })
    .then((sig) => {
      log.info({ signal: sig }, 'stopping the agent and the emulator; task containers keep running');
      return 'signal' as const;
    });
  const up = await runUp({
    port,
    dataDir: flags['data-dir'],
    cluster: flags.cluster,
    region: flags.region,
    vpc,
    ecr,
    ecrRegistry,
    env: io.env,
    log,
    print: (line) => io.stdout.write(`${line}\n`),
  });
  await sdNotify({ ready: true, status: `ECS endpoint ${up.url}` }, io.env, log);
  const outcome = await Promise.race([stopped, up.done]);
  await sdNotify({ stopping: true }, io.env, log);
  await up.close();
  return outcome === 'signal' ? EXIT.ok : outcome;
}
