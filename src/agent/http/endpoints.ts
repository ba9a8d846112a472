/**
 * The agent's local HTTP endpoints: introspection (127.0.0.1:51678) and task metadata + credentials (51679),
 * and the address containers are told to use for the latter (§8.3):
 *
 *   link-local on  -> http://169.254.170.2        (rules from link-local.ts; the official URIs)
 *   link-local off -> http://<docker0 gw>:<port>  (the server listens on the bridge gateway as well as on
 *                                                  127.0.0.1, so bridge and host-mode containers reach it)
 *
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is relative to 169.254.170.2 by definition (SDKs add the host), so
 * SDKs in containers find their credentials only with the link-local endpoint on.
 *
 * Settings (config/endpoints.ts): ECS_TASK_METADATA_RPS_LIMIT feeds the TMDS token bucket, ECS_DISABLE_TASK_METADATA_AZ
 * blanks the AZ, ECS_AUDIT_LOGFILE gets a line per credentials request, and as root host-filter.ts installs ecs-init's
 * INPUT rules for the bound ports (removed before the servers close).
 *
 * The metadata URIs are baked into a container at create; an agent restarted on another port (port 0, tests)
 * leaves older containers with a stale URI. The fixed default ports do not have that problem.
 */
import type { Logger } from '../../shared/log.js';
import type { AgentConfig } from '../config/config.js';
import type { CredentialsStore } from '../credentials/store.js';
import type { TaskRecord } from '../model/task.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { StatsProvider } from '../stats/collector.js';
import { openAuditLog, type AuditLog } from '../logfiles/audit-log.js';
import { installHostFilter, type HostFilter } from './host-filter.js';
import { introspectionHandler } from './introspection.js';
import { LINK_LOCAL_ADDRESS, setUpLinkLocal, type LinkLocal } from './link-local.js';
import { listenOn, type Listening } from './server.js';
import { TaskView } from './task-view.js';
import { tmdsHandler } from './tmds.js';
import type { ResourceTagsLookup } from './task-tags.js';
import type { TaskProtectionCalls } from './task-protection.js';
import { realClock } from '../../shared/clock.js';

export interface LocalEndpointsOptions {
  config: AgentConfig;
  runtime: ContainerRuntime;
  records: () => TaskRecord[];
  credentials: CredentialsStore;
  stats: StatsProvider | undefined;
  containerInstanceArn: () => string | undefined;
  availabilityZone: () => string | undefined;
  /** ECS calls the task metadata server makes (injected: this directory holds no AWS client). */
  resourceTags?: ResourceTagsLookup | undefined;
  taskProtection?: TaskProtectionCalls | undefined;
  log: Logger;
}

export interface LocalEndpoints {
  readonly introspectionPort: number;
  readonly metadataPort: number;
  /** Base URL of the metadata server as seen from task containers, without a trailing slash. */
  readonly metadataBaseUrl: string;
  readonly linkLocal: boolean;
  /** The filter rules installed for this agent (ecs-init's; root only), empty when none. */
  readonly hostFilterRules: readonly (readonly string[])[];
  close(): Promise<void>;
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Introspection listens where the official host lets callers reach it: loopback and the docker0 gateway
 * (ecs-init's ACCEPT -i docker0), or every interface with ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS.
 */
function introspectionHosts(config: AgentConfig, gateway: string | undefined): string[] {
  if (config.allowOffhostIntrospection) return ['0.0.0.0'];
  return gateway ? ['127.0.0.1', gateway] : ['127.0.0.1'];
}

function auditLogOf(opts: LocalEndpointsOptions): AuditLog | undefined {
  const { config, log } = opts;
  if (config.auditLogFile === undefined) return undefined;
  return openAuditLog({
    file: config.auditLogFile,
    rotation: config.logRotation,
    context: () => ({ cluster: config.cluster, containerInstanceArn: opts.containerInstanceArn() }),
    onError: (err) => log.warn({ err, file: config.auditLogFile }, 'cannot write the credentials audit log'),
  });
}

const PRUNE_INTERVAL_MS = 10_000;

/**
 * Task-role credentials go when their task is STOPPED, everything of a task once it is cleaned up (§4.2).
 * The credentials handler checks the same on every request; this sweep only bounds memory.
 */
export function pruneCredentials(opts: Pick<LocalEndpointsOptions, 'records' | 'credentials'>): void {
  const known = new Map(opts.records().map((r) => [r.spec.arn, r.state.known]));
  for (const arn of opts.credentials.taskArns()) {
    const status = known.get(arn);
    if (status === undefined) opts.credentials.forgetTask(arn);
    else if (status === 'STOPPED') opts.credentials.forgetTaskRole(arn);
  }
}

export async function startLocalEndpoints(opts: LocalEndpointsOptions): Promise<LocalEndpoints> {
  const { config, log } = opts;
  const view = new TaskView({ records: opts.records, runtime: opts.runtime });
  const gateway = await opts.runtime.networkGateway?.('bridge', AbortSignal.timeout(10_000)).catch((err: unknown) => {
    log.warn({ err }, 'cannot read the docker bridge gateway; task metadata is reachable from host-mode containers only');
    return undefined;
  });
  const introspection = await listenOn(introspectionHosts(config, gateway), config.introspectionPort, (req, res) => {
    void introspectionHandler({ view, cluster: config.cluster, containerInstanceArn: opts.containerInstanceArn })(req, res);
  });
  let metadata: Listening | undefined;
  let linkLocal: LinkLocal | undefined;
  let audit: AuditLog | undefined;
  let hostFilter: HostFilter | undefined;
  try {
    audit = auditLogOf(opts);
    const tmds = tmdsHandler({
      view,
      credentials: { store: opts.credentials, networkHost: config.taskIamRoleNetworkHost, audit },
      rateLimit: config.taskMetadataRateLimit,
      context: () => ({
        cluster: config.cluster,
        availabilityZone: config.disableTaskMetadataAz ? undefined : opts.availabilityZone(),
        launchType: config.external ? 'EXTERNAL' : 'EC2',
        containerInstanceArn: opts.containerInstanceArn() ?? '',
      }),
      stats: opts.stats,
      resourceTags: opts.resourceTags,
      taskProtection: opts.taskProtection,
      log: log.child({ component: 'tmds' }),
    });
    metadata = await listenOn(gateway ? ['127.0.0.1', gateway] : ['127.0.0.1'], config.metadataPort, (req, res) => void tmds(req, res));
    if (config.linkLocalEndpoint) {
      linkLocal = await setUpLinkLocal({ port: metadata.port, gateway, log }).catch((err: unknown) => {
        log.warn({ err }, 'cannot install the link-local metadata endpoint; containers get the bridge gateway address instead');
        return undefined;
      });
    }
    if (isRoot() && !(config.allowOffhostIntrospection && config.skipLocalhostTrafficFilter)) {
      const ports = { introspectionPort: introspection.port, metadataPort: metadata.port };
      hostFilter = await installHostFilter({ ...ports, allowOffhostIntrospection: config.allowOffhostIntrospection, skipLocalhostTrafficFilter: config.skipLocalhostTrafficFilter, log }).catch((err: unknown) => {
        log.warn({ err }, 'cannot install the introspection / localhost filter rules');
        return undefined;
      });
    }
  } catch (err) {
    await linkLocal?.close();
    await metadata?.close();
    await introspection.close();
    audit?.close();
    throw err;
  }
  const metadataBaseUrl = linkLocal ? `http://${LINK_LOCAL_ADDRESS}` : `http://${gateway ?? '127.0.0.1'}:${metadata.port}`;
  log.info({ introspectionPort: introspection.port, metadataPort: metadata.port, metadataBaseUrl }, 'local endpoints listening');
  const servers = metadata;
  const prune = realClock.setInterval(() => pruneCredentials(opts), PRUNE_INTERVAL_MS);
  let closing: Promise<void> | undefined;
  return {
    introspectionPort: introspection.port,
    metadataPort: metadata.port,
    metadataBaseUrl,
    linkLocal: linkLocal !== undefined,
    hostFilterRules: hostFilter?.rules ?? [],
    close: () =>
      (closing ??= (async () => {
        realClock.clearInterval(prune);
        // Rules go before the ports do: another agent's sweep treats a rule without a listener as stale.
        await hostFilter?.close();
        await linkLocal?.close();
        await servers.close();
        await introspection.close();
        audit?.close();
      })()),
  };
}
