/**
 * The simulated-VPC flags shared by `berth emulator` and `berth up` (the VPC itself: src/emulator/vpc/vpc.ts).
 * Off unless --vpc-cidr is given; the other flags only matter with it. Everything is checked here, so a typo is
 * one usage line (exit 2) instead of a half-made bridge.
 */
import type { VpcOptions } from '../emulator/vpc/vpc.js';
import { UsageError } from './io.js';

export const VPC_OPTIONS = {
  'vpc-cidr': { type: 'string' },
  'vpc-subnet-id': { type: 'string', default: 'subnet-0berth0000000001' },
  'vpc-bridge': { type: 'string', default: 'berth-vpc0' },
  'vpc-veth-prefix': { type: 'string', default: 'bvpc' },
  'vpc-domain': { type: 'string', default: 'ec2.internal' },
} as const;

export interface VpcFlags {
  'vpc-cidr'?: string | undefined;
  'vpc-subnet-id': string;
  'vpc-bridge': string;
  'vpc-veth-prefix': string;
  'vpc-domain': string;
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const CIDR = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/(\\d{1,2})$`);
const LINK_NAME = /^[A-Za-z0-9_.-]+$/;

/** An IPv4 network the simulated VPC can use: /16 to /28, no host bits set. */
export function parseVpcCidr(command: string, raw: string): string {
  const m = CIDR.exec(raw);
  const prefix = Number(m?.[5]);
  const bad = (why: string): UsageError => new UsageError(`--vpc-cidr '${raw}': ${why}`, command);
  if (!m) throw bad('expected an IPv4 network like 10.213.0.0/24');
  if (prefix < 16 || prefix > 28) throw bad('expected a prefix length from /16 to /28');
  const address = [m[1], m[2], m[3], m[4]].reduce((n, o) => n * 256 + Number(o), 0);
  if (address % 2 ** (32 - prefix) !== 0) throw bad(`host bits set (the network of a /${prefix} ends in zero bits)`);
  return raw;
}

function linkName(command: string, flag: string, raw: string, max: number): string {
  if (!LINK_NAME.test(raw) || raw.length > max) {
    throw new UsageError(`${flag} '${raw}': expected at most ${max} letters, digits, '.', '_' or '-'`, command);
  }
  return raw;
}

/** The emulator's `vpc` option from the flags; undefined (no VPC) without --vpc-cidr. */
export function vpcFromFlags(command: string, flags: VpcFlags): VpcOptions | undefined {
  const cidr = flags['vpc-cidr'];
  if (cidr === undefined) return undefined;
  const subnetId = flags['vpc-subnet-id'];
  if (!/^subnet-[0-9a-z]+$/.test(subnetId)) throw new UsageError(`--vpc-subnet-id '${subnetId}': expected subnet-<letters and digits>`, command);
  const domain = flags['vpc-domain'];
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(domain)) {
    throw new UsageError(`--vpc-domain '${domain}': expected a DNS domain such as ec2.internal`, command);
  }
  return {
    subnetCidr: parseVpcCidr(command, cidr),
    subnetId,
    // IFNAMSIZ is 16 with the NUL; veths are "<prefix><host number>e", so the prefix leaves room for 5 digits + 1.
    bridge: linkName(command, '--vpc-bridge', flags['vpc-bridge'], 15),
    vethPrefix: linkName(command, '--vpc-veth-prefix', flags['vpc-veth-prefix'], 8),
    domain,
  };
}
