/**
 * The host's network links, read from sysfs: the ENI watcher finds an ENI by its MAC address this way
 * (spec §9: detection is by MAC; berth polls /sys/class/net instead of listening to udev).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export const SYS_CLASS_NET = '/sys/class/net';

/** Interface name -> MAC address (lower case) of every link in this network namespace. */
export async function linkMacs(root = SYS_CLASS_NET): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return out;
  }
  await Promise.all(
    names.map(async (name) => {
      try {
        out.set(name, (await readFile(path.join(root, name, 'address'), 'utf8')).trim().toLowerCase());
      } catch {
        // The link went away between readdir and read.
      }
    }),
  );
  return out;
}

export async function findLinkByMac(mac: string, root = SYS_CLASS_NET): Promise<string | undefined> {
  const want = mac.toLowerCase();
  for (const [name, m] of await linkMacs(root)) if (m === want) return name;
  return undefined;
}
