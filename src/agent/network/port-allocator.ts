/**
 * Dynamic host ports (spec §5.9): for hostPort 0 the agent picks the port itself, walking sequentially from
 * the last assigned port + 1 through ECS_DYNAMIC_HOST_PORT_RANGE, skipping reserved ports and ports it
 * handed out for live tasks, and testing each candidate by binding it.
 */
import net from 'node:net';
import dgram from 'node:dgram';

export type PortProbe = (port: number, protocol: 'tcp' | 'udp') => Promise<boolean>;

/** True when nothing listens on the port (we could bind it on all interfaces). */
export const bindProbe: PortProbe = (port, protocol) =>
  new Promise((resolve) => {
    if (protocol === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '0.0.0.0', () => s.close(() => resolve(true)));
      return;
    }
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(true)));
  });

export interface PortAllocatorOptions {
  range: readonly [number, number];
  reservedTcp: readonly number[];
  reservedUdp: readonly number[];
  probe?: PortProbe;
}

export class PortAllocator {
  private last: number;
  private readonly inUse = { tcp: new Set<number>(), udp: new Set<number>() };
  private readonly probe: PortProbe;

  constructor(private readonly opts: PortAllocatorOptions) {
    this.last = opts.range[0] - 1;
    this.probe = opts.probe ?? bindProbe;
  }

  /** Marks ports as taken (ports of tasks reloaded after a restart). */
  claim(port: number, protocol: 'tcp' | 'udp'): void {
    this.inUse[protocol].add(port);
  }

  release(port: number, protocol: 'tcp' | 'udp'): void {
    this.inUse[protocol].delete(port);
  }

  async allocate(protocol: 'tcp' | 'udp'): Promise<number> {
    const [lo, hi] = this.opts.range;
    const reserved = protocol === 'tcp' ? this.opts.reservedTcp : this.opts.reservedUdp;
    const size = hi - lo + 1;
    let candidate = this.last;
    for (let i = 0; i < size; i++) {
      candidate = candidate >= hi || candidate < lo ? lo : candidate + 1;
      if (reserved.includes(candidate) || this.inUse[protocol].has(candidate)) continue;
      if (!(await this.probe(candidate, protocol))) continue;
      this.last = candidate;
      this.inUse[protocol].add(candidate);
      return candidate;
    }
    throw new Error(`no free ${protocol} host port in ${lo}-${hi}`);
  }
}
