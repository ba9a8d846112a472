/**
 * The emulated-ECR flags shared by `berth emulator` and `berth up` (the registry itself: src/emulator/ecr/).
 * Off unless a registry is named. Each flag has an environment twin, and the credentials are better given there:
 * a flag's value shows in `ps`.
 *
 *   --ecr-port PORT               BERTH_ECR_PORT          the built-in registry's port (default: the emulator's + 1)
 *   --ecr-registry HOST:PORT      BERTH_ECR_REGISTRY      an external Docker registry that plays ECR instead
 *   --ecr-credentials USER:PASS   BERTH_ECR_CREDENTIALS   its login (htpasswd), handed out as ECR tokens
 *   --ecr-endpoint URL            BERTH_ECR_ENDPOINT      where agents reach the emulator's ECR API (default: its URL)
 */
import type { EcrRegistryOptions } from '../emulator/ecr/registry.js';
import { UsageError } from './io.js';

export const ECR_OPTIONS = {
  'ecr-port': { type: 'string' },
  'ecr-registry': { type: 'string' },
  'ecr-credentials': { type: 'string' },
  'ecr-endpoint': { type: 'string' },
} as const;

export interface EcrFlags {
  'ecr-port'?: string | undefined;
  'ecr-registry'?: string | undefined;
  'ecr-credentials'?: string | undefined;
  'ecr-endpoint'?: string | undefined;
}

// A registry host as images name it: a DNS name or IPv4 address, optionally with a port.
const REGISTRY = /^(localhost|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+)(:\d{1,5})?$/;

/** The emulator's `ecr` option from the flags (else the environment); undefined without a registry. */
export function ecrFromFlags(command: string, flags: EcrFlags, env: NodeJS.ProcessEnv): EcrRegistryOptions | undefined {
  const registry = flags['ecr-registry'] ?? env['BERTH_ECR_REGISTRY'];
  const credentials = flags['ecr-credentials'] ?? env['BERTH_ECR_CREDENTIALS'];
  const endpoint = flags['ecr-endpoint'] ?? env['BERTH_ECR_ENDPOINT'];
  if (registry === undefined || registry === '') {
    if (credentials || endpoint) throw new UsageError('--ecr-credentials and --ecr-endpoint need --ecr-registry HOST:PORT', command);
    return undefined;
  }
  if (!REGISTRY.test(registry) || (registry.includes(':') && Number(registry.split(':')[1]) > 65535)) {
    throw new UsageError(`--ecr-registry '${registry}': expected a registry host as images name it, such as 127.0.0.1:5000`, command);
  }
  // Never echo the credentials back, even in a usage error.
  const i = credentials?.indexOf(':') ?? -1;
  if (credentials === undefined || i <= 0 || i === credentials.length - 1) {
    throw new UsageError('--ecr-registry needs --ecr-credentials USER:PASSWORD (or BERTH_ECR_CREDENTIALS): the registry\'s login', command);
  }
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new UsageError(`--ecr-endpoint '${endpoint}': expected an http(s) URL`, command);
  }
  return { registry, username: credentials.slice(0, i), password: credentials.slice(i + 1), ...(endpoint ? { endpoint } : {}) };
}

/**
 * The built-in registry's settings (--ecr-port, BERTH_ECR_PORT; default the emulator's port + 1), or false when an
 * external registry plays ECR.
 */
export function ecrRegistryFromFlags(command: string, flags: EcrFlags, env: NodeJS.ProcessEnv, external: boolean): { port?: number } | false {
  const raw = flags['ecr-port'] ?? env['BERTH_ECR_PORT'];
  if (external) {
    if (raw !== undefined) throw new UsageError('--ecr-port is the built-in registry\'s port; it does not go with --ecr-registry', command);
    return false;
  }
  if (raw === undefined) return {};
  const port = Number(raw);
  if (raw === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--ecr-port '${raw}': expected a port 0-65535`, command);
  return { port };
}
