/**
 * The filter INPUT rules ecs-init installs next to the link-local route (ecs-init/exec/iptables, spec §8.1-§8.2),
 * installed by berth itself as root since berth stands in for ecs-init:
 *
 *   unless ECS_ALLOW_OFFHOST_INTROSPECTION_ACCESS:
 *     INPUT -p tcp --dport <introspection port> ! -i lo -j DROP        off-host callers never reach it
 *     INPUT -p tcp --dport <introspection port> -i docker0 -j ACCEPT   (inserted above) bridge containers do
 *   unless ECS_SKIP_LOCALHOST_TRAFFIC_FILTER:
 *     INPUT --dst 127.0.0.0/8 ! --src 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
 *
 * Differences from ecs-init, and why:
 *   - The introspection rules name the port the server actually bound (0 in tests picks a free one), so parallel
 *     agents never touch each other's traffic. berth's introspection server listens on loopback and the docker0
 *     gateway only unless off-host access is allowed, so the DROP is defence in depth, as on an ECS host.
 *   - No ip6tables copy: berth's introspection server has no IPv6 listener.
 *   - Every rule carries a comment naming the agent's port (berth-introspection-<introspection port>,
 *     berth-localhost-<metadata port>). Install checks (-C) before inserting, so a restart on the same port never
 *     duplicates a rule, and each agent owns exactly its own copies. Rules whose port nobody listens on any more
 *     (an agent that was killed) are swept at install: a live agent binds its ports before its rules exist and
 *     removes its rules before it lets go of its ports.
 *   - Removed on clean shutdown, as ecs-init's Remove() does when the agent stops.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Logger } from '../../shared/log.js';

const run = promisify(execFile);

export interface HostFilterOptions {
  introspectionPort: number;
  metadataPort: number;
  allowOffhostIntrospection: boolean;
  skipLocalhostTrafficFilter: boolean;
  /** The docker bridge whose containers may still reach introspection (ecs-init: docker0). */
  bridge?: string;
  log: Logger;
}

export interface HostFilter {
  /** The rules this agent holds, as iptables rule specs after the chain name (for tests and logs). */
  readonly rules: readonly (readonly string[])[];
  close(): Promise<void>;
}

const tag = (kind: 'introspection' | 'localhost', port: number): string[] => ['-m', 'comment', '--comment', `berth-${kind}-${port}`];
const TAG_RE = /--comment "?berth-(introspection|localhost)-(\d+)"?/;

/** In insertion order: each is inserted at the top, so the last one ends up first (the ACCEPT above the DROP). */
export function hostFilterRules(opts: Omit<HostFilterOptions, 'log'>): string[][] {
  const out: string[][] = [];
  if (!opts.skipLocalhostTrafficFilter) {
    out.push(['--dst', '127.0.0.0/8', '!', '--src', '127.0.0.0/8', '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', ...tag('localhost', opts.metadataPort), '-j', 'DROP']);
  }
  if (!opts.allowOffhostIntrospection) {
    const port = ['-p', 'tcp', '--dport', String(opts.introspectionPort)];
    out.push([...port, '!', '-i', 'lo', ...tag('introspection', opts.introspectionPort), '-j', 'DROP']);
    out.push([...port, '-i', opts.bridge ?? 'docker0', ...tag('introspection', opts.introspectionPort), '-j', 'ACCEPT']);
  }
  return out;
}

async function iptables(args: string[]): Promise<void> {
  await run('iptables', ['-w', '5', '-t', 'filter', ...args]);
}

const exists = (rule: string[]): Promise<boolean> => iptables(['-C', 'INPUT', ...rule]).then(() => true, () => false);

/** TCP ports with a listening socket on this host (/proc/net/tcp{,6}, state 0A). */
export async function listeningPorts(): Promise<Set<number>> {
  const ports = new Set<number>();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(f, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && cols[1]) ports.add(parseInt(cols[1].split(':').at(-1)!, 16));
    }
  }
  return ports;
}

/** Deletes berth-tagged INPUT rules whose port has no listener: left by an agent that did not stop cleanly. */
async function sweepStale(log: Logger): Promise<void> {
  const { stdout } = await run('iptables', ['-w', '5', '-t', 'filter', '-S', 'INPUT']);
  const tagged = stdout.split('\n').filter((l) => l.startsWith('-A INPUT ') && TAG_RE.test(l));
  if (tagged.length === 0) return;
  const live = await listeningPorts();
  for (const line of tagged) {
    const port = Number(TAG_RE.exec(line)![2]);
    if (live.has(port)) continue;
    const spec = line.slice('-A INPUT '.length).replace(/"/g, '').split(' ');
    await iptables(['-D', 'INPUT', ...spec]).then(
      () => log.info({ rule: line }, 'removed a stale berth filter rule'),
      () => undefined, // another agent swept it first
    );
  }
}

/** Installs the rules (idempotently); on failure removes what it added and rethrows. */
export async function installHostFilter(opts: HostFilterOptions): Promise<HostFilter> {
  const rules = hostFilterRules(opts);
  await sweepStale(opts.log).catch((err: unknown) => opts.log.warn({ err }, 'could not sweep stale berth filter rules'));
  const held: string[][] = [];
  const teardown = async (): Promise<void> => {
    for (const r of held.reverse()) {
      await iptables(['-D', 'INPUT', ...r]).catch((err: unknown) => opts.log.warn({ err, rule: r.join(' ') }, 'could not remove a berth filter rule'));
    }
    held.length = 0;
  };
  try {
    for (const r of rules) {
      if (!(await exists(r))) await iptables(['-I', 'INPUT', ...r]);
      held.push(r);
    }
  } catch (err) {
    await teardown();
    throw err;
  }
  if (rules.length > 0) opts.log.info({ introspectionPort: opts.introspectionPort, rules: rules.length }, 'host filter rules installed');
  let closing: Promise<void> | undefined;
  return { rules, close: () => (closing ??= teardown()) };
}
