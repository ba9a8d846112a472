/**
 * The simulated VPC (one subnet) the emulator gives awsvpc tasks, on the machine the agent runs on:
 *
 *   host ── <bridge> (gateway address, e.g. 10.213.0.1/24)
 *              └── <prefix><n>p ══ veth ══ <prefix><n>e  (MAC of the ENI: "attached to the instance")
 *
 * EC2 makes an attached ENI appear on the instance as a new device with the ENI's MAC; here the ENI end of a
 * veth does, and its peer sits on the subnet's bridge, so the host reaches every task at its ENI address
 * through the bridge. Allocations (id, MAC, IP) are kept in <dataDir>/vpc.json, so a restarted emulator
 * neither hands an address out twice nor forgets a veth to remove.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../shared/log.js';
import { deleteLink, ensureBridge, ensureVeth } from './links.js';

export interface VpcOptions {
  /** The subnet, e.g. 10.213.0.0/24 (keep it clear of Docker's networks). */
  subnetCidr: string;
  /** Bridge name (<= 15 characters). */
  bridge: string;
  /** Prefix of veth names (<= 8 characters, so "<prefix><n>e" fits IFNAMSIZ). */
  vethPrefix: string;
  subnetId?: string;
  /** Search domain; private DNS names are ip-a-b-c-d.<domain>. */
  domain?: string;
  /** How long the agent has to report the ENI ATTACHED before the task fails to start (default 60 s). */
  attachTimeoutMs?: number;
}

export interface EniAllocation {
  eniId: string;
  attachmentId: string;
  mac: string;
  ip: string;
  taskArn: string;
  eniEnd: string;
  vpcEnd: string;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export class SimulatedVpc {
  readonly subnetId: string;
  readonly domain: string;
  readonly gateway: string;
  readonly prefixLength: number;
  /** AWS's resolver lives at the subnet base + 2. */
  readonly dnsServer: string;
  private readonly base: number;
  private readonly size: number;
  private readonly allocations = new Map<string, EniAllocation>();
  private readonly file: string;

  constructor(
    private readonly opts: VpcOptions,
    dataDir: string,
    private readonly log: Logger,
  ) {
    const [net, prefix] = opts.subnetCidr.split('/');
    this.prefixLength = Number(prefix);
    if (!net || !(this.prefixLength >= 16 && this.prefixLength <= 28)) throw new Error(`vpc subnet ${opts.subnetCidr}: expected a /16../28 IPv4 CIDR`);
    if (opts.bridge.length > 15 || opts.vethPrefix.length > 8) throw new Error('vpc bridge name <= 15 and veth prefix <= 8 characters');
    this.size = 2 ** (32 - this.prefixLength);
    this.base = ipToInt(net) - (ipToInt(net) % this.size);
    this.gateway = intToIp(this.base + 1);
    this.dnsServer = intToIp(this.base + 2);
    this.subnetId = opts.subnetId ?? 'subnet-0berth0000000001';
    this.domain = opts.domain ?? 'ec2.internal';
    this.file = path.join(dataDir, 'vpc.json');
    try {
      for (const a of JSON.parse(readFileSync(this.file, 'utf8')) as EniAllocation[]) this.allocations.set(a.eniId, a);
    } catch {
      // first start
    }
  }

  async start(): Promise<void> {
    await ensureBridge(this.opts.bridge, `${this.gateway}/${this.prefixLength}`);
  }

  private save(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify([...this.allocations.values()]), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  forTask(taskArn: string): EniAllocation | undefined {
    return [...this.allocations.values()].find((a) => a.taskArn === taskArn);
  }

  all(): EniAllocation[] {
    return [...this.allocations.values()];
  }

  /** An ENI for the task (the same one when asked again): the lowest free address after the reserved ones. */
  allocate(taskArn: string): EniAllocation {
    const existing = this.forTask(taskArn);
    if (existing) return existing;
    const used = new Set([...this.allocations.values()].map((a) => ipToInt(a.ip)));
    // AWS reserves the first four addresses and the last one of every subnet.
    let host = 4;
    while (host < this.size - 1 && used.has(this.base + host)) host++;
    if (host >= this.size - 1) throw new Error(`no free address in ${this.opts.subnetCidr}`);
    const hex = randomBytes(9).toString('hex');
    const a: EniAllocation = {
      eniId: `eni-${hex.slice(0, 17)}`,
      attachmentId: `${hex.slice(0, 8)}-${randomBytes(2).toString('hex')}-4${hex.slice(8, 11)}-a${hex.slice(11, 14)}-${randomBytes(6).toString('hex')}`,
      mac: `02:${[...randomBytes(5)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`,
      ip: intToIp(this.base + host),
      taskArn,
      eniEnd: `${this.opts.vethPrefix}${host}e`,
      vpcEnd: `${this.opts.vethPrefix}${host}p`,
    };
    this.allocations.set(a.eniId, a);
    this.save();
    return a;
  }

  /** Makes the ENI appear on the instance (idempotent). */
  async plug(a: EniAllocation): Promise<void> {
    await ensureVeth({ eniEnd: a.eniEnd, mac: a.mac, vpcEnd: a.vpcEnd, bridge: this.opts.bridge });
    this.log.info({ eni: a.eniId, mac: a.mac, ip: a.ip, device: a.eniEnd }, 'ENI attached to the instance');
  }

  /** Detaches and deletes the ENI: its veth goes (both ends), its address is free again. */
  async release(eniId: string): Promise<void> {
    const a = this.allocations.get(eniId);
    if (!a) return;
    await deleteLink(a.vpcEnd);
    await deleteLink(a.eniEnd);
    this.allocations.delete(eniId);
    this.save();
    this.log.info({ eni: a.eniId, ip: a.ip }, 'ENI released');
  }

  privateDnsName(ip: string): string {
    return `ip-${ip.replaceAll('.', '-')}.${this.domain}`;
  }

  /** Removes every link this VPC made (emulator shutdown): running awsvpc tasks lose their ENI. */
  async close(): Promise<void> {
    for (const a of this.allocations.values()) {
      await deleteLink(a.vpcEnd).catch(() => undefined);
      await deleteLink(a.eniEnd).catch(() => undefined);
    }
    await deleteLink(this.opts.bridge).catch(() => undefined);
  }
}
