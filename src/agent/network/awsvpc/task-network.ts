/**
 * awsvpc task networking (spec §5.7, §9): the pause container holds the task's network namespace; the ENI
 * is moved into it as eth0 (CNI host-device, matched by MAC, static IPAM: the ENI's address, the default route
 * to the subnet gateway) and an ecs-bridge veth is added as ecs-eth0 (CNI bridge + host-local IPAM in
 * 169.254.172.0/22, route to 169.254.170.2 plus ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES; ECS_AWSVPC_BLOCK_IMDS adds a
 * blackhole route for 169.254.169.254, see ns-routes.ts). DNS servers, search domains and hostname go into the pause
 * container's Docker config; app containers join with NetworkMode container:<pause>. Teardown runs CNI DEL
 * while the namespace still exists, then removes the pause container, so nothing is left behind. Every step
 * is repeatable: a restarted agent resumes or tears down from what the task record saved.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BerthError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/log.js';
import { sleep } from '../../../shared/clock.js';
import type { ContainerRuntime } from '../../runtime/runtime.js';
import type { TaskNetworkState, TaskRecord } from '../../model/task.js';
import { dockerContainerName, ecsLabels } from '../../model/labels.js';
import { isGone, runCni, type CniResult } from './cni.js';
import type { TaskEni } from '../../model/eni.js';
import type { EniAttachments } from './attachments.js';
import { findLinkByMac, SYS_CLASS_NET } from './links.js';
import { blockInstanceMetadata } from './ns-routes.js';
import { realClock } from '../../../shared/clock.js';

const run = promisify(execFile);

export const PAUSE_CONTAINER_NAME = '~internal~ecs~pause';
export const DEFAULT_PAUSE_IMAGE = 'amazon/amazon-ecs-pause:0.1.0';
export const ECS_BRIDGE_SUBNET = '169.254.172.0/22';
export const CREDENTIALS_ENDPOINT = '169.254.170.2/32';

export interface AwsvpcNetworkOptions {
  runtime: ContainerRuntime;
  cluster: string;
  /** ECS_CNI_PLUGINS_PATH. */
  pluginDir: string;
  /** Host bridge for ecs-eth0 (ecs-bridge). */
  bridgeName: string;
  /** host-local IPAM state for the bridge (inside ECS_DATADIR). */
  ipamDir: string;
  pauseImage?: string;
  attachments?: EniAttachments;
  log: Logger;
  /** ECS_AWSVPC_BLOCK_IMDS. */
  blockImds?: boolean;
  /** ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES: IPv4 CIDRs routed through ecs-eth0 like the credentials endpoint. */
  additionalLocalRoutes?: readonly string[];
  /** How long setup waits for the ENI link to show up on the host. */
  eniWaitMs?: number;
  sysClassNet?: string;
}

/** What the engine calls; `save` persists the record on the task's queue (crash recovery by name). */
export interface TaskNetworkHook {
  setup(rec: TaskRecord, io: { signal: AbortSignal; save: (update: (n: TaskNetworkState) => void) => Promise<void> }): Promise<TaskNetworkState>;
  teardown(rec: TaskRecord, signal: AbortSignal): Promise<void>;
}

type CniConfig = Record<string, unknown> & { type: string; name: string };

/** CNI host-device + static IPAM: the ENI becomes eth0 with its address and the default route to the subnet gateway. */
export function eniNetworkConfig(eni: TaskEni): CniConfig {
  return {
    name: 'berth-eni',
    type: 'host-device',
    hwaddr: eni.mac,
    ipam: {
      type: 'static',
      addresses: [{ address: `${eni.ipv4}/${eni.prefixLength}`, gateway: eni.gateway }],
      routes: [{ dst: '0.0.0.0/0', gw: eni.gateway }],
    },
  };
}

/**
 * CNI bridge + host-local IPAM: ecs-eth0 on the ecs bridge. Its routes (the credentials endpoint, then each
 * additional local route, as the official agent builds its ecs-ipam routes) name no gateway: the bridge plugin
 * routes them via the bridge's address, so they leave through ecs-eth0 and not the ENI.
 */
export function bridgeNetworkConfig(opts: { bridgeName: string; ipamDir: string; additionalLocalRoutes?: readonly string[] | undefined }): CniConfig {
  const routes = [CREDENTIALS_ENDPOINT, ...(opts.additionalLocalRoutes ?? [])].map((dst) => ({ dst }));
  return {
    name: 'ecs-bridge',
    type: 'bridge',
    bridge: opts.bridgeName,
    isGateway: true,
    ipMasq: false,
    ipam: { type: 'host-local', ranges: [[{ subnet: ECS_BRIDGE_SUBNET }]], routes, dataDir: opts.ipamDir },
  };
}

const CNI_ADD_TIMEOUT_MS = 60_000;
const CNI_DEL_TIMEOUT_MS = 30_000;

export class AwsvpcNetwork implements TaskNetworkHook {
  private readonly pauseImage: string;
  /** Bridge ADDs and the idle-bridge removal never interleave (a removal must not race a new task's veth). */
  private bridgeLock: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: AwsvpcNetworkOptions) {
    this.pauseImage = opts.pauseImage ?? DEFAULT_PAUSE_IMAGE;
  }

  private eniConfig(eni: TaskEni): CniConfig {
    return eniNetworkConfig(eni);
  }

  private bridgeConfig(): CniConfig {
    return bridgeNetworkConfig(this.opts);
  }

  async setup(rec: TaskRecord, io: { signal: AbortSignal; save: (update: (n: TaskNetworkState) => void) => Promise<void> }): Promise<TaskNetworkState> {
    const eni = rec.spec.eni;
    if (!eni) throw new BerthError('ResourceInitializationError', 'awsvpc task without an elastic network interface');
    const log = this.opts.log.child({ taskArn: rec.spec.arn, eni: eni.ec2Id });
    const state: TaskNetworkState = { ...rec.state.network };
    if (state.pauseName === undefined) {
      const name = dockerContainerName(rec.spec, PAUSE_CONTAINER_NAME);
      await io.save((n) => (n.pauseName = name));
      state.pauseName = name;
    }
    let info = await this.opts.runtime.inspectContainer(state.pauseId ?? state.pauseName, io.signal);
    if (!info) {
      const id = await this.opts.runtime.createContainer(this.pauseRequest(rec, state.pauseName, eni), { timeoutMs: 60_000, signal: io.signal });
      await io.save((n) => (n.pauseId = id));
      state.pauseId = id;
      info = await this.opts.runtime.inspectContainer(id, io.signal);
    }
    if (!info) throw new BerthError('ResourceInitializationError', 'pause container vanished after create');
    state.pauseId = info.id;
    if (!info.running) {
      await this.opts.runtime.startContainer(info.id, { timeoutMs: 60_000, signal: io.signal });
      info = await this.opts.runtime.inspectContainer(info.id, io.signal);
    }
    if (!info?.running || !info.pid) throw new BerthError('ResourceInitializationError', 'pause container is not running');
    const netns = `/proc/${info.pid}/ns/net`;
    await this.waitForLink(eni, io.signal);
    const common = { pluginDir: this.opts.pluginDir, containerId: info.id, netns, timeoutMs: CNI_ADD_TIMEOUT_MS, signal: io.signal };
    await runCni({ ...common, command: 'ADD', ifName: 'eth0', config: this.eniConfig(eni) });
    if (this.opts.blockImds) await blockInstanceMetadata(netns, io.signal);
    const bridge: CniResult = await this.locked(() => runCni({ ...common, command: 'ADD', ifName: 'ecs-eth0', config: this.bridgeConfig() }));
    state.localIp = bridge.ips?.[0]?.address.split('/')[0];
    state.ready = true;
    log.info({ ip: eni.ipv4, localIp: state.localIp, pause: info.id }, 'task network ready');
    return state;
  }

  /** The pause container: NetworkMode none, hostname / DNS / search list / hosts entry from the ENI (§5.7). */
  private pauseRequest(rec: TaskRecord, name: string, eni: TaskEni): { name: string; body: Record<string, unknown> } {
    const host: Record<string, unknown> = { NetworkMode: 'none' };
    if (eni.dnsServers.length) host['Dns'] = eni.dnsServers;
    if (eni.searchDomains.length) host['DnsSearch'] = eni.searchDomains;
    if (eni.hostname) host['ExtraHosts'] = [`${eni.hostname}:${eni.ipv4}`];
    return {
      name,
      body: {
        Image: this.pauseImage,
        Labels: ecsLabels(rec.spec, PAUSE_CONTAINER_NAME, this.opts.cluster),
        ...(eni.hostname ? { Hostname: eni.hostname } : {}),
        HostConfig: host,
      },
    };
  }

  /** The ENI was reported ATTACHED before the task came, but a slow device is given a moment. */
  private async waitForLink(eni: TaskEni, signal: AbortSignal): Promise<void> {
    const deadline = realClock.now() + (this.opts.eniWaitMs ?? 10_000);
    while ((await findLinkByMac(eni.mac, this.opts.sysClassNet ?? SYS_CLASS_NET)) === undefined) {
      if (realClock.now() > deadline) throw new BerthError('ResourceInitializationError', `ENI ${eni.ec2Id} (${eni.mac}) is not attached to this host`);
      await sleep(100, signal);
    }
  }

  async teardown(rec: TaskRecord, signal: AbortSignal): Promise<void> {
    const n = rec.state.network;
    const eni = rec.spec.eni;
    const ref = n?.pauseId ?? n?.pauseName;
    if (ref !== undefined) {
      const info = await this.opts.runtime.inspectContainer(ref, signal);
      if (info) {
        // CNI DEL needs the namespace: only while the pause container runs. A gone namespace took its links along.
        const netns = info.running && info.pid ? `/proc/${info.pid}/ns/net` : '';
        const common = { pluginDir: this.opts.pluginDir, containerId: info.id, netns, timeoutMs: CNI_DEL_TIMEOUT_MS, signal };
        await this.del({ ...common, command: 'DEL', ifName: 'ecs-eth0', config: this.bridgeConfig() });
        if (eni && netns !== '') await this.del({ ...common, command: 'DEL', ifName: 'eth0', config: this.eniConfig(eni) });
        await this.opts.runtime.stopContainer(info.id, { graceSeconds: 2, signal });
        await this.opts.runtime.removeContainer(info.id, signal);
      }
    }
    await this.locked(() => this.removeIdleBridge());
    if (eni) this.opts.attachments?.remove(eni.mac);
    this.opts.log.info({ taskArn: rec.spec.arn }, 'task network torn down');
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.bridgeLock.then(fn, fn);
    this.bridgeLock = next.catch(() => undefined);
    return next;
  }

  private async del(req: Parameters<typeof runCni>[0]): Promise<void> {
    try {
      await runCni(req);
    } catch (err) {
      if (!isGone(err)) throw err;
    }
  }

  /** The ecs-bridge goes away with its last task (it is recreated by the next ADD). */
  private async removeIdleBridge(): Promise<void> {
    const dir = path.join(this.opts.sysClassNet ?? SYS_CLASS_NET, this.opts.bridgeName, 'brif');
    let ports: string[];
    try {
      ports = await readdir(dir);
    } catch {
      return; // no such bridge
    }
    if (ports.length > 0) return;
    await run('ip', ['link', 'del', this.opts.bridgeName]).catch((err: unknown) => this.opts.log.warn({ err }, 'cannot remove the idle ecs bridge'));
  }
}
