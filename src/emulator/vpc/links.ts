/**
 * The few `ip` commands the simulated VPC needs. Every name is ours (prefixed), every call is idempotent in
 * the direction that matters: creating what exists and deleting what is gone are not errors.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

/** A bridge with `address` (CIDR) on it, up: the subnet's router as the host sees it. */
export async function ensureBridge(name: string, address: string): Promise<void> {
  if (!linkExists(name)) await ip('link', 'add', name, 'type', 'bridge');
  await ip('addr', 'replace', address, 'dev', name);
  await ip('link', 'set', name, 'up');
}

/** A veth pair: `eniEnd` carries the ENI's MAC (the device the agent looks for), `vpcEnd` joins the bridge. */
export async function ensureVeth(opts: { eniEnd: string; mac: string; vpcEnd: string; bridge: string }): Promise<void> {
  if (!linkExists(opts.vpcEnd)) {
    await ip('link', 'add', opts.eniEnd, 'address', opts.mac, 'type', 'veth', 'peer', 'name', opts.vpcEnd);
  }
  await ip('link', 'set', opts.vpcEnd, 'master', opts.bridge);
  await ip('link', 'set', opts.vpcEnd, 'up');
}

/** Deleting one end of a veth deletes both (wherever the other end lives by then). */
export async function deleteLink(name: string): Promise<void> {
  if (!linkExists(name)) return;
  await ip('link', 'del', name).catch((err: unknown) => {
    if (linkExists(name)) throw err;
  });
}
