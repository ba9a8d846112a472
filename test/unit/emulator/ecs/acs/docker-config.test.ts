import t from 'tap';
import { dockerConfigFor } from '../../../../../src/emulator/ecs/acs/docker-config.js';

const parse = (s: string | undefined): Record<string, unknown> => JSON.parse(s ?? '{}') as Record<string, unknown>;

t.test('a plain bridge container needs no dockerConfig, like the transcript tasks', async (t) => {
  t.equal(dockerConfigFor({}, 'bridge'), undefined);
});

t.test('linuxParameters and the other Docker-only members travel inside HostConfig and Config', async (t) => {
  const dc = dockerConfigFor(
    {
      linuxParameters: {
        capabilities: { add: ['SYS_PTRACE'], drop: ['NET_RAW'] },
        initProcessEnabled: true,
        sharedMemorySize: 128,
        tmpfs: [{ containerPath: '/scratch', size: 16, mountOptions: ['noexec'] }],
        devices: [{ hostPath: '/dev/null', containerPath: '/dev/nothing', permissions: ['read'] }],
      },
      dnsSearchDomains: ['example.test'],
      dockerSecurityOptions: ['no-new-privileges'],
      systemControls: [{ namespace: 'net.ipv4.tcp_keepalive_time', value: '500' }],
      disableNetworking: true,
      interactive: true,
      pseudoTerminal: true,
    },
    'bridge',
  );
  const host = parse(dc?.hostConfig);
  const config = parse(dc?.config);
  t.same(host['CapAdd'], ['SYS_PTRACE']);
  t.same(host['CapDrop'], ['NET_RAW']);
  t.equal(host['Init'], true);
  t.equal(host['ShmSize'], 128 * 1024 * 1024);
  t.same(host['Tmpfs'], { '/scratch': 'size=16m,noexec' });
  t.same(host['Devices'], [{ PathOnHost: '/dev/null', PathInContainer: '/dev/nothing', CgroupPermissions: 'r' }]);
  t.same(host['DnsSearch'], ['example.test']);
  t.same(host['SecurityOpt'], ['no-new-privileges']);
  t.same(host['Sysctls'], { 'net.ipv4.tcp_keepalive_time': '500' });
  t.equal(config['NetworkDisabled'], true);
  t.equal(config['OpenStdin'], true);
  t.equal(config['Tty'], true);
});
