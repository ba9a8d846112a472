/**
 * The emulator's side of awsvpc without links (no root needed): ENI allocation in the subnet, the ENI as ACS
 * carries it, ATTACHED reports, the release of STOPPED tasks' ENIs, and ECS's failure for an ENI that is
 * never reported attached.
 */
import t from 'tap';
import { openStore } from '../../src/emulator/ecs/store.js';
import type { TaskRecord } from '../../src/emulator/ecs/records.js';
import { SimulatedVpc } from '../../src/emulator/vpc/vpc.js';
import { ENI_TIMEOUT_REASON, EniAttachments } from '../../src/emulator/ecs/eni-attachments.js';
import { silentLogger } from '../../src/shared/log.js';
import { clockAt } from '../kit/manual-clock.js';
import { removeDir, tempDir } from '../kit/harness.js';

function task(arn: string, createdAt: number): TaskRecord {
  return {
    arn, cluster: 'net-emu', taskDefinitionArn: 'arn:td/net:1', containerInstanceArn: 'arn:ci', lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING',
    containers: [{ containerArn: 'arn:c', name: 'web', image: 'busybox', lastStatus: 'PENDING', essential: true }],
    containerOverrides: [], reserved: { cpu: 0, memory: 0, tcpPorts: [], udpPorts: [] }, version: 1, createdAt,
  } as unknown as TaskRecord;
}

t.test('ENIs, attachments and their release in the simulated VPC', async (t) => {
  const dir = tempDir('net-emu');
  const store = openStore(dir);
  t.teardown(() => {
    store.close();
    removeDir(dir);
  });
  let now = 1_000_000;
  const vpc = new SimulatedVpc({ subnetCidr: '10.213.7.0/24', bridge: 'unusedbr', vethPrefix: 'nu', attachTimeoutMs: 5000 }, dir, silentLogger());
  const svc = new EniAttachments({ vpc, store, region: 'us-east-1', accountId: '000000000000', log: silentLogger(), attachTimeoutMs: 5000, clock: clockAt(() => now) });

  const first = svc.ensureAttachment(task('arn:task/a', now));
  store.putTask(first.task);
  const second = svc.ensureAttachment(task('arn:task/b', now));
  store.putTask(second.task);
  t.equal(first.allocation.ip, '10.213.7.4', 'the first four addresses are reserved, as in AWS');
  t.equal(second.allocation.ip, '10.213.7.5');
  t.equal(svc.ensureAttachment(first.task).allocation.eniId, first.allocation.eniId, 'asking again gives the same ENI');
  t.match(first.attachment, { type: 'ElasticNetworkInterface', status: 'ATTACHING' });
  t.same(first.attachment.details.map((d) => d.name), ['subnetId', 'networkInterfaceId', 'macAddress', 'privateDnsName', 'privateIPv4Address']);

  const eni = svc.acsEni(first.allocation);
  t.match(eni, {
    ec2Id: first.allocation.eniId, macAddress: first.allocation.mac, interfaceAssociationProtocol: 'default',
    ipv4Addresses: [{ privateAddress: '10.213.7.4', primary: true }], subnetGatewayIpv4Address: '10.213.7.1/24',
    domainNameServers: ['10.213.7.2'], domainName: ['ec2.internal'], privateDnsName: 'ip-10-213-7-4.ec2.internal',
  });
  const msg = svc.attachMessage(first.task, first.allocation, { messageId: 'm', clusterArn: 'arn:cl', containerInstanceArn: 'arn:ci', nowMs: now });
  t.equal(msg.waitTimeoutMs, 5000);
  t.equal(msg.elasticNetworkInterfaces?.length, 1);

  const other = svc.applyAttachmentChanges(first.task, [{ attachmentArn: 'arn:other', status: 'ATTACHED' }]);
  t.notOk(other.attached, 'another attachment ARN changes nothing');
  const attached = svc.applyAttachmentChanges(first.task, [{ attachmentArn: eni.attachmentArn, status: 'ATTACHED' }]);
  t.ok(attached.attached);
  t.ok(svc.isAttached(attached.task));
  store.putTask({ ...attached.task, lastStatus: 'RUNNING' });

  now += 6000;
  await svc.sweep();
  const failed = store.getTask('arn:task/b')!;
  t.equal(failed.lastStatus, 'STOPPED', 'an ENI never reported attached fails the task');
  t.equal(failed.stopCode, 'TaskFailedToStart');
  t.equal(failed.stoppedReason, ENI_TIMEOUT_REASON);
  t.equal(failed.attachments?.[0]?.status, 'DELETED', 'and its ENI is released');
  t.equal(store.getTask('arn:task/a')!.lastStatus, 'RUNNING', 'the attached task is untouched');
  t.same(vpc.all().map((a) => a.ip), ['10.213.7.4']);

  store.putTask({ ...store.getTask('arn:task/a')!, lastStatus: 'STOPPED' });
  await svc.sweep();
  t.same(vpc.all(), [], 'a STOPPED task releases its ENI');
  t.equal(store.getTask('arn:task/a')!.attachments?.[0]?.status, 'DELETED');
  const reopened = new SimulatedVpc({ subnetCidr: '10.213.7.0/24', bridge: 'unusedbr', vethPrefix: 'nu' }, dir, silentLogger());
  t.equal(reopened.allocate('arn:task/c').ip, '10.213.7.4', 'freed addresses are handed out again, also after a restart');
});
