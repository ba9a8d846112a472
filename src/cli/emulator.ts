/** `berth emulator`: the local ECS control plane in the foreground. */
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
  host: { type: 'string', default: '127.0.0.1' },
  'data-dir': { type: 'string', default: '.berth/emulator' },
  region: { type: 'string', default: 'us-east-1' },
  hostname: { type: 'string', multiple: true },
  ...VPC_OPTIONS,
  ...ECR_OPTIONS,
} as const;

export async function emulatorCommand(args: readonly string[], io: CliIo): Promise<number> {
  const flags = parseCommandArgs('emulator', args, OPTIONS);
  const port = parsePort('emulator', flags.port);
  const vpc = vpcFromFlags('emulator', flags);
  const ecr = ecrFromFlags('emulator', flags, io.env);
  const ecrRegistry = ecrRegistryFromFlags('emulator', flags, io.env, ecr !== undefined);
  const log = await cliLogger(flags, io, flags['log-level'] ?? io.env['ECS_LOGLEVEL'] ?? 'info');
  const { startEmulator } = await import('../emulator/index.js');
  const emulator = await startEmulator({ port, host: flags.host, dataDir: flags['data-dir'], region: flags.region, log, vpc, ecr, ecrRegistry, hostnames: flags.hostname ?? [] });
  // Listen for SIGTERM before telling anyone we are up, so a stop right after READY=1 is a clean one.
  const stopped = shutdownSignal({ onRepeat: (sig) => log.warn({ signal: sig }, 'already stopping') });
  io.stdout.write(`berth emulator listening on ${emulator.url}\n`);
  if (ecr) io.stdout.write(`emulated ECR: images on ${ecr.registry} pull with ECR tokens from ${ecr.endpoint ?? emulator.url}\n`);
  else if (emulator.ecrRegistry) io.stdout.write(`ECR registry: ${emulator.ecrRegistry} (repositoryUri ${emulator.ecrRegistry}/<name>)\n`);
  if (vpc) io.stdout.write(`simulated VPC: ${vpc.subnetId} ${vpc.subnetCidr} on bridge ${vpc.bridge} (awsvpc tasks: --network-configuration 'awsvpcConfiguration={subnets=[${vpc.subnetId}]}')\n`);
  await sdNotify({ ready: true, status: `listening on ${emulator.url}` }, io.env, log);
  await stopped;
  await sdNotify({ stopping: true }, io.env, log);
  await emulator.close();
  return EXIT.ok;
}
