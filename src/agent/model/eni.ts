/**
 * A task ENI as the agent uses it (spec §3.2 ElasticNetworkInterface), validated once at the edge: the
 * attach message and the task payload both carry it. Validation as the official agent: at least one IPv4
 * address, a subnet gateway in CIDR form, a MAC and an EC2 id, association protocol default (or empty).
 */
import type { ElasticNetworkInterface } from '../../shared/protocol/acs.js';

export interface TaskEni {
  ec2Id: string;
  /** Lower case, colon separated: how /sys/class/net/<if>/address shows it. */
  mac: string;
  attachmentArn: string | undefined;
  /** Primary private IPv4 address and the subnet's prefix length (from the gateway CIDR). */
  ipv4: string;
  prefixLength: number;
  /** Subnet gateway address (without the prefix). */
  gateway: string;
  dnsServers: string[];
  searchDomains: string[];
  /** privateDnsName: the pause container's hostname (and a hosts entry for ipv4). */
  hostname: string | undefined;
}

export class EniValidationError extends Error {}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isIpv4(s: string): boolean {
  const m = IPV4.exec(s);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}

export function parseEni(raw: ElasticNetworkInterface | undefined): TaskEni {
  if (!raw) throw new EniValidationError('no elastic network interface');
  const ec2Id = raw.ec2Id ?? '';
  if (ec2Id === '') throw new EniValidationError('ENI has no ec2Id');
  const mac = (raw.macAddress ?? '').toLowerCase();
  if (!MAC.test(mac)) throw new EniValidationError(`ENI ${ec2Id} has no valid macAddress`);
  const protocol = raw.interfaceAssociationProtocol ?? 'default';
  if (protocol !== 'default') throw new EniValidationError(`ENI ${ec2Id}: interface association protocol ${protocol} is not supported`);
  const addresses = (raw.ipv4Addresses ?? []).filter((a) => a.privateAddress);
  const primary = addresses.find((a) => a.primary) ?? addresses[0];
  if (!primary?.privateAddress || !isIpv4(primary.privateAddress)) throw new EniValidationError(`ENI ${ec2Id} has no IPv4 address`);
  const gatewayCidr = raw.subnetGatewayIpv4Address ?? '';
  const [gateway, prefix] = gatewayCidr.split('/');
  const prefixLength = Number(prefix);
  if (!gatewayCidr.includes('/') || !gateway || !isIpv4(gateway) || !Number.isInteger(prefixLength) || prefixLength < 1 || prefixLength > 32) {
    throw new EniValidationError(`ENI ${ec2Id} has no subnet gateway in CIDR form (got ${JSON.stringify(gatewayCidr)})`);
  }
  return {
    ec2Id,
    mac,
    attachmentArn: raw.attachmentArn || undefined,
    ipv4: primary.privateAddress,
    prefixLength,
    gateway,
    dnsServers: (raw.domainNameServers ?? []).filter(isIpv4),
    searchDomains: (raw.domainName ?? []).filter((d) => d !== ''),
    hostname: raw.privateDnsName || undefined,
  };
}

/** The task's ENI from a payload task: awsvpc needs exactly one. */
export function taskEniOf(enis: ElasticNetworkInterface[] | undefined): TaskEni {
  if (!enis || enis.length !== 1) throw new EniValidationError(`awsvpc task needs exactly one elastic network interface, got ${enis?.length ?? 0}`);
  return parseEni(enis[0]);
}
