/**
 * ENI validation (§3.2), the AttachTaskNetworkInterfaces responder (§4.2: ack after validation and
 * persistence, echoing the message's ARNs; nothing acked for a bad ENI) and the ENI watcher (§6.3: by MAC,
 * ATTACHED reported once, retried, dropped when it never appears). The watcher reads a fake sysfs tree.
 */
import t, { type Test } from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SubmitTaskStateChangeCommandInput } from '@aws-sdk/client-ecs';
import { dispatch } from '../../../../../src/agent/acs/dispatch.js';
import type { ResponderContext } from '../../../../../src/agent/acs/responders/context.js';
import { EniAttachments } from '../../../../../src/agent/network/awsvpc/attachments.js';
import { parseEni, taskEniOf } from '../../../../../src/agent/model/eni.js';
import { awsvpcSupport } from '../../../../../src/agent/network/awsvpc/support.js';
import { StateStore } from '../../../../../src/agent/state/store.js';
import type { ElasticNetworkInterface, ServerEnvelope } from '../../../../../src/shared/protocol/acs.js';
import { silentLogger } from '../../../../../src/shared/log.js';
import { waitUntil } from '../../../../kit/wait.js';
import { parseTaskSpec } from '../../../../../src/agent/engine/parse-task.js';

const ENI: ElasticNetworkInterface = {
  ec2Id: 'eni-0123456789abcdef0',
  macAddress: '02:AA:BB:CC:DD:01',
  attachmentArn: 'arn:aws:ecs:us-east-1:0:attachment/a1',
  interfaceAssociationProtocol: 'default',
  ipv4Addresses: [{ privateAddress: '10.213.0.9', primary: true }],
  subnetGatewayIpv4Address: '10.213.0.1/24',
  domainNameServers: ['10.213.0.2'],
  domainName: ['ec2.internal'],
  privateDnsName: 'ip-10-213-0-9.ec2.internal',
};

const until = (what: string, probe: () => boolean, ms = 5000): Promise<true> => waitUntil(what, probe, { timeoutMs: ms, intervalMs: 5 });

t.test('an ENI is validated like the official agent does', async (t) => {
  const eni = parseEni(ENI);
  t.same(eni, { ec2Id: ENI.ec2Id, mac: '02:aa:bb:cc:dd:01', attachmentArn: ENI.attachmentArn, ipv4: '10.213.0.9', prefixLength: 24, gateway: '10.213.0.1', dnsServers: ['10.213.0.2'], searchDomains: ['ec2.internal'], hostname: 'ip-10-213-0-9.ec2.internal' });
  t.throws(() => parseEni({ ...ENI, macAddress: undefined }), /macAddress/);
  t.throws(() => parseEni({ ...ENI, ec2Id: '' }), /ec2Id/);
  t.throws(() => parseEni({ ...ENI, ipv4Addresses: [] }), /IPv4/);
  t.throws(() => parseEni({ ...ENI, subnetGatewayIpv4Address: '10.213.0.1' }), /CIDR/);
  t.throws(() => parseEni({ ...ENI, interfaceAssociationProtocol: 'vlan' }), /not supported/);
  t.throws(() => taskEniOf([ENI, ENI]), /exactly one/);
  t.throws(
    () => parseTaskSpec({ arn: 'a', family: 'f', version: '1', networkMode: 'awsvpc', elasticNetworkInterfaces: [{ ...ENI, subnetGatewayIpv4Address: '' }], containers: [{ name: 'w', image: 'i' }] }),
    /subnet gateway/,
    'an awsvpc task with a bad ENI does not load',
  );
});

function fakeSys(t: Test): { dir: string; appear: (name: string, mac: string) => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-sysnet-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    appear: (name, mac) => {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, 'address'), `${mac}\n`);
    },
  };
}

function responderHarness(enis: EniAttachments | undefined) {
  const sent: { type: string; message: Record<string, unknown> }[] = [];
  const ctx = {
    send: ((type: string, message: Record<string, unknown>) => sent.push({ type, message })) as ResponderContext['send'],
    cluster: 'net-unit',
    containerInstanceArn: 'arn:ci/own',
    enis,
    log: silentLogger(),
  } as unknown as ResponderContext;
  const deliver = (message: Record<string, unknown>): void => dispatch({ type: 'AttachTaskNetworkInterfacesMessage', message } as unknown as ServerEnvelope, ctx);
  return { sent, deliver };
}

const attachMessage = (messageId: string, eni: ElasticNetworkInterface, extra: Record<string, unknown> = {}) => ({
  messageId, clusterArn: 'arn:cluster/from-msg', containerInstanceArn: 'arn:ci/from-msg', taskArn: 'arn:task/t1', taskClusterArn: 'arn:cluster/from-msg', waitTimeoutMs: 60_000, elasticNetworkInterfaces: [eni], ...extra,
});

t.test('the attach responder acks valid messages with their own ARNs, and nothing bad', async (t) => {
  const store = new StateStore({ dataDir: undefined });
  t.teardown(() => store.close());
  const enis = new EniAttachments({ store, cluster: 'net-unit', submit: async () => undefined, log: silentLogger() });
  t.teardown(() => enis.close());
  const h = responderHarness(enis);
  h.deliver(attachMessage('bad-mac', { ...ENI, macAddress: '' }));
  h.deliver(attachMessage('bad-ip', { ...ENI, ipv4Addresses: [] }));
  h.deliver(attachMessage('bad-gw', { ...ENI, subnetGatewayIpv4Address: undefined }));
  h.deliver(attachMessage('two', ENI, { elasticNetworkInterfaces: [ENI, ENI] }));
  t.same(h.sent, [], 'no ack for an ENI without MAC, IP or gateway, or with two ENIs');
  t.same(store.loadEniAttachments(), [], 'and nothing saved');
  h.deliver(attachMessage('ok', ENI));
  h.deliver(attachMessage('dup', ENI));
  t.same(h.sent, [
    { type: 'AckRequest', message: { cluster: 'arn:cluster/from-msg', containerInstance: 'arn:ci/from-msg', messageId: 'ok' } },
    { type: 'AckRequest', message: { cluster: 'arn:cluster/from-msg', containerInstance: 'arn:ci/from-msg', messageId: 'dup' } },
  ]);
  const saved = store.loadEniAttachments();
  t.equal(saved.length, 1, 'a duplicate changes nothing');
  t.match(saved[0], { attachmentArn: ENI.attachmentArn, taskArn: 'arn:task/t1', mac: '02:aa:bb:cc:dd:01', sent: false });
  const off = responderHarness(undefined);
  off.deliver(attachMessage('off', ENI));
  t.same(off.sent, [], 'not acked when awsvpc is off here');
});

t.test('the watcher reports ATTACHED once the MAC appears, retrying a failed report, and persists it sent', async (t) => {
  const sys = fakeSys(t);
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-eni-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = new StateStore({ dataDir: dir });
  const calls: SubmitTaskStateChangeCommandInput[] = [];
  let failures = 1;
  const enis = new EniAttachments({
    store, cluster: 'net-unit', log: silentLogger(), sysClassNet: sys.dir, pollMs: 10,
    submit: async (input) => {
      calls.push(input);
      if (failures-- > 0) throw new Error('throttled');
    },
  });
  enis.start();
  enis.add({ attachmentArn: 'arn:att/1', taskArn: 'arn:task/t1', eni: parseEni(ENI), waitTimeoutMs: 60_000 });
  await new Promise((r) => setTimeout(r, 100));
  t.same(calls, [], 'nothing reported before the device exists');
  sys.appear('nv5e', '02:aa:bb:cc:dd:01');
  await until('ATTACHED accepted', () => store.loadEniAttachments()[0]?.sent === true);
  t.equal(calls.length, 2, 'one failed attempt, one accepted');
  t.same(calls[1], { cluster: 'net-unit', task: 'arn:task/t1', attachments: [{ attachmentArn: 'arn:att/1', status: 'ATTACHED' }] }, 'attachments only: no status, no containers');
  await new Promise((r) => setTimeout(r, 100));
  t.equal(calls.length, 2, 'not reported again');
  enis.close();
  store.close();
  const again = new StateStore({ dataDir: dir });
  t.teardown(() => again.close());
  const restarted = new EniAttachments({ store: again, cluster: 'net-unit', log: silentLogger(), sysClassNet: sys.dir, pollMs: 10, submit: async (i) => void calls.push(i) });
  restarted.start();
  t.teardown(() => restarted.close());
  await new Promise((r) => setTimeout(r, 100));
  t.equal(calls.length, 2, 'a restarted agent does not report a sent attachment again');
  t.ok(restarted.forMac('02:AA:BB:CC:DD:01'), 'but still knows it (for teardown)');
});

t.test('an ENI that never appears is dropped when its wait expires', async (t) => {
  const sys = fakeSys(t);
  const store = new StateStore({ dataDir: undefined });
  t.teardown(() => store.close());
  const calls: unknown[] = [];
  const enis = new EniAttachments({ store, cluster: 'net-unit', log: silentLogger(), sysClassNet: sys.dir, pollMs: 10, submit: async (i) => void calls.push(i) });
  t.teardown(() => enis.close());
  enis.start();
  enis.add({ attachmentArn: 'arn:att/2', taskArn: 'arn:task/t2', eni: parseEni(ENI), waitTimeoutMs: 50 });
  await until('expired attachment dropped', () => store.loadEniAttachments().length === 0);
  sys.appear('late0', '02:aa:bb:cc:dd:01');
  await new Promise((r) => setTimeout(r, 60));
  t.same(calls, [], 'a device appearing after expiry is not reported');
});

t.test('task-eni is advertised only where awsvpc can really work', async (t) => {
  const runtime = { imageExists: async () => true };
  const signal = new AbortController().signal;
  const base = { taskEni: undefined, external: false, cniPluginsPath: '/usr/lib/cni' };
  t.match(await awsvpcSupport({ config: { ...base, taskEni: false }, runtime, signal, isRoot: true }), { ok: false, reason: /ECS_ENABLE_TASK_ENI=false/ });
  t.match(await awsvpcSupport({ config: { ...base, external: true }, runtime, signal, isRoot: true }), { ok: false, reason: /ECS_EXTERNAL/ });
  t.match(await awsvpcSupport({ config: base, runtime, signal, isRoot: false }), { ok: false, reason: /root/ });
  t.match(await awsvpcSupport({ config: { ...base, cniPluginsPath: '/nonexistent' }, runtime, signal, isRoot: true }), { ok: false, reason: /CNI plugin host-device/ });
  t.match(await awsvpcSupport({ config: base, runtime: { imageExists: async () => false }, signal, isRoot: true }), { ok: false, reason: /pause image/ });
  const withPlugins = await awsvpcSupport({ config: { ...base, external: true, taskEni: true }, runtime, signal, isRoot: true });
  t.same(withPlugins, { ok: true }, 'ECS_EXTERNAL with the explicit opt-in, root, plugins and pause image');
});
