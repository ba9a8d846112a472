/**
 * 169.254.170.2:80 -> the metadata server, as ecs-init arranges it on ECS hosts (spec §8.2), created at agent
 * start and removed at stop. Host-wide state: one agent per host may own it (BERTH_LINK_LOCAL_ENDPOINT).
 *
 * How a container's request gets here:
 *
 *   bridge container --(default route via docker0)--> nat PREROUTING: DNAT 169.254.170.2:80 -> <docker0 gw>:<port>
 *   host-mode container / host process ------------> nat OUTPUT: REDIRECT 169.254.170.2:80 -> 127.0.0.1:<port>
 *
 * ecs-init DNATs to 127.0.0.1 and so has to set net.ipv4.conf.all.route_localnet=1, which opens every loopback
 * service to the bridge; berth DNATs to the docker0 gateway address instead, where the metadata server listens
 * anyway (containers also reach it there directly), and leaves route_localnet alone. DNAT keeps the source
 * address, which is how the credentials endpoint tells tasks apart. The address itself goes on `lo` so that the
 * host has a route to it even without a default route. Every rule carries a comment naming its port, so stop
 * removes exactly what this agent added.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Logger } from '../../shared/log.js';

const run = promisify(execFile);
export const LINK_LOCAL_ADDRESS = '169.254.170.2';

export interface LinkLocalOptions {
  port: number;
  /** The docker0 gateway address the server listens on; without it only the host-side rule is made. */
  gateway: string | undefined;
  log: Logger;
}

export interface LinkLocal {
  close(): Promise<void>;
}

function rules(opts: LinkLocalOptions): string[][] {
  const match = ['-d', `${LINK_LOCAL_ADDRESS}/32`, '-p', 'tcp', '--dport', '80', '-m', 'comment', '--comment', `berth-tmds-${opts.port}`];
  const out = [['-t', 'nat', 'OUTPUT', ...match, '-j', 'REDIRECT', '--to-ports', String(opts.port)]];
  if (opts.gateway) out.push(['-t', 'nat', 'PREROUTING', ...match, '-j', 'DNAT', '--to-destination', `${opts.gateway}:${opts.port}`]);
  return out;
}

async function iptables(op: '-I' | '-D', rule: string[]): Promise<void> {
  const [t, table, chain, ...rest] = rule;
  await run('iptables', ['-w', '5', t!, table!, op, chain!, ...rest]);
}

async function hasAddress(): Promise<boolean> {
  const { stdout } = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', 'lo']);
  return stdout.includes(` ${LINK_LOCAL_ADDRESS}/`);
}

/** Installs the address and rules; on failure removes what it added and rethrows. */
export async function setUpLinkLocal(opts: LinkLocalOptions): Promise<LinkLocal> {
  const added: string[][] = [];
  let addedAddress = false;
  const teardown = async (): Promise<void> => {
    for (const r of added.reverse()) await iptables('-D', r).catch((err: unknown) => opts.log.warn({ err }, 'could not remove a link-local rule'));
    added.length = 0;
    if (addedAddress) {
      addedAddress = false;
      await run('ip', ['addr', 'del', `${LINK_LOCAL_ADDRESS}/32`, 'dev', 'lo']).catch((err: unknown) => opts.log.warn({ err }, 'could not remove the link-local address'));
    }
  };
  try {
    if (!(await hasAddress())) {
      await run('ip', ['addr', 'add', `${LINK_LOCAL_ADDRESS}/32`, 'dev', 'lo']);
      addedAddress = true;
    }
    for (const r of rules(opts)) {
      await iptables('-I', r);
      added.push(r);
    }
  } catch (err) {
    await teardown();
    throw err;
  }
  opts.log.info({ address: LINK_LOCAL_ADDRESS, port: opts.port, gateway: opts.gateway }, 'link-local metadata endpoint installed');
  let closing: Promise<void> | undefined;
  return { close: () => (closing ??= teardown()) };
}
