/**
 * ecs-init's filter rules as berth installs them (root only): scoped to ports this test itself bound, so no other
 * test's traffic is touched; each rule once however often it is installed; stale ones swept; all gone at close.
 */
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostFilterRules, installHostFilter } from '../../../../src/agent/http/host-filter.js';
import { silentLogger } from '../../../../src/shared/log.js';

const ROOT = process.getuid?.() === 0;

async function listening(t: Test): Promise<{ port: number; server: Server }> {
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => (server.listening ? server.close(() => r()) : r())));
  return { port: (server.address() as AddressInfo).port, server };
}

const inputRules = (): string[] => execFileSync('iptables', ['-w', '5', '-S', 'INPUT'], { encoding: 'utf8' }).split('\n');
const count = (needle: string): number => inputRules().filter((l) => l.includes(`${needle} `) || l.endsWith(needle)).length;

t.test('the rule set follows the two switches', async (t) => {
  const ports = { introspectionPort: 4101, metadataPort: 4102 };
  const all = hostFilterRules({ ...ports, allowOffhostIntrospection: false, skipLocalhostTrafficFilter: false }).map((r) => r.join(' '));
  t.equal(all.length, 3);
  t.match(all[0], /^--dst 127\.0\.0\.0\/8 ! --src 127\.0\.0\.0\/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT .*berth-localhost-4102 -j DROP$/);
  t.match(all[1], /^-p tcp --dport 4101 ! -i lo .*berth-introspection-4101 -j DROP$/);
  t.match(all[2], /^-p tcp --dport 4101 -i docker0 .*berth-introspection-4101 -j ACCEPT$/);
  t.equal(hostFilterRules({ ...ports, allowOffhostIntrospection: true, skipLocalhostTrafficFilter: false }).length, 1);
  t.equal(hostFilterRules({ ...ports, allowOffhostIntrospection: false, skipLocalhostTrafficFilter: true }).length, 2);
  t.equal(hostFilterRules({ ...ports, allowOffhostIntrospection: true, skipLocalhostTrafficFilter: true }).length, 0);
});

t.test('installing twice (a restart after a crash) leaves one copy of each rule, and close removes them', { skip: ROOT ? false : 'iptables needs root' }, async (t) => {
  const intro = await listening(t);
  const md = await listening(t);
  const opts = { introspectionPort: intro.port, metadataPort: md.port, allowOffhostIntrospection: false, skipLocalhostTrafficFilter: false, log: silentLogger() };
  const first = await installHostFilter(opts);
  const second = await installHostFilter(opts);
  t.teardown(async () => {
    await second.close();
    await first.close();
  });
  t.equal(count(`berth-introspection-${intro.port}`), 2, 'the DROP and the ACCEPT, once each');
  t.equal(count(`berth-localhost-${md.port}`), 1);
  const lines = inputRules();
  const accept = lines.findIndex((l) => l.includes(`berth-introspection-${intro.port}`) && l.endsWith('ACCEPT'));
  const drop = lines.findIndex((l) => l.includes(`berth-introspection-${intro.port}`) && l.endsWith('DROP'));
  t.ok(accept < drop, 'docker0 is let through above the DROP');
  const local = await fetch(`http://127.0.0.1:${intro.port}/`, { signal: AbortSignal.timeout(5000) });
  t.equal(await local.text(), 'ok', 'loopback still reaches the port');
  await second.close();
  t.equal(count(`berth-introspection-${intro.port}`), 0, 'close removes them');
  t.equal(count(`berth-localhost-${md.port}`), 0);
  await first.close();
});

t.test('rules of a port nobody listens on any more are swept at the next install', { skip: ROOT ? false : 'iptables needs root' }, async (t) => {
  const dead = await listening(t);
  const live = await listening(t);
  const log = silentLogger();
  const stale = await installHostFilter({ introspectionPort: dead.port, metadataPort: dead.port, allowOffhostIntrospection: false, skipLocalhostTrafficFilter: false, log });
  t.teardown(() => stale.close());
  await new Promise<void>((r) => dead.server.close(() => r()));
  const fresh = await installHostFilter({ introspectionPort: live.port, metadataPort: live.port, allowOffhostIntrospection: false, skipLocalhostTrafficFilter: true, log });
  t.teardown(() => fresh.close());
  t.equal(count(`berth-introspection-${dead.port}`), 0, 'the dead port lost its rules');
  t.equal(count(`berth-localhost-${dead.port}`), 0);
  t.equal(count(`berth-introspection-${live.port}`), 2, 'the live one has its own');
  t.equal(count(`berth-localhost-${live.port}`), 0, 'ECS_SKIP_LOCALHOST_TRAFFIC_FILTER: none');
});
