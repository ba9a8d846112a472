/**
 * Container configuration on real Docker: one row per "simple test" of the official suite (spec §11) whose
 * dockerConfig field Docker 20.10 supports, plus the container definition members that arrive outside
 * dockerConfig. The control plane sends task definition fields inside dockerConfig.config / .hostConfig (§3.4,
 * §10); each container exits 42 only when its setting took effect. All rows go out in ONE PayloadMessage.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { acsTask, engineRig, IMAGE, inspect, sh } from '../../../kit/engine-harness.js';

/**
 * Docker's privileged mode asks runc for every capability the kernel has. Some sandboxes (this project's test
 * machines: CapBnd 000001fffeffffff, no CAP_SYS_RESOURCE) run everything under a smaller bounding set, so runc
 * refuses even a plain `docker run --privileged` ("unable to apply caps"). There scripts/ensure-docker registers
 * the runtime berth-capbnd (scripts/runc-capbnd: runc with the capability sets clipped to the bounding set) and
 * the Privileged row asks Docker for it; everything privileged mode changes besides that stays Docker's doing,
 * and the row still passes Privileged through berth's dockerConfig overlay like every other row.
 */
const privilegedRefused = spawnSync('docker', ['run', '--rm', '--privileged', IMAGE, 'true'], { stdio: 'ignore' }).status !== 0;
const PRIVILEGED = privilegedRefused ? { Privileged: true, Runtime: 'berth-capbnd' } : { Privileged: true };
/** Docker's own /dev entries for an unprivileged container; privileged mode adds the host's devices. */
const DEFAULT_DEV = 'console|fd|full|mqueue|null|ptmx|pts|random|shm|stderr|stdin|stdout|tty|urandom|zero';

interface Row {
  name: string;
  script: string;
  config?: Record<string, unknown>;
  hostConfig?: Record<string, unknown>;
  container?: Record<string, unknown>;
}

const envDir = mkdtempSync(path.join(tmpdir(), 'berth-envfile-'));
const envFile = path.join(envDir, 'app.env');
writeFileSync(envFile, '# comment\nFROM_FILE=yes\nBOTH=file\n');

const ROWS: Row[] = [
  { name: 'SimpleExit', script: 'exit 42' },
  { name: 'AddDropCapabilities', script: 'c=$(grep CapEff /proc/self/status | cut -f2); [ $(( 0x$c >> 12 & 1 )) = 1 ] && [ $(( 0x$c & 1 )) = 0 ] && exit 42', hostConfig: { CapAdd: ['NET_ADMIN'], CapDrop: ['CHOWN'] } },
  { name: 'Devices', script: '[ -c /dev/berth-null ] && exit 42', hostConfig: { Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/berth-null', CgroupPermissions: 'rwm' }] } },
  { name: 'DisableNetworking', script: '[ "$(ls /sys/class/net)" = lo ] && exit 42', config: { NetworkDisabled: true } },
  { name: 'DNSSearchDomains', script: 'grep -q "^search.*berth.example" /etc/resolv.conf && exit 42', hostConfig: { DnsSearch: ['berth.example'] } },
  { name: 'DNSServers', script: 'grep -q "^nameserver 10.9.8.7" /etc/resolv.conf && exit 42', hostConfig: { Dns: ['10.9.8.7'] } },
  { name: 'ExtraHosts', script: 'grep -q "10.1.2.3.*berth-host" /etc/hosts && exit 42', hostConfig: { ExtraHosts: ['berth-host:10.1.2.3'] } },
  { name: 'Hostname', script: '[ "$(hostname)" = myhost ] && exit 42', config: { Hostname: 'myhost' } },
  { name: 'InitProcess', script: '[ "$(cat /proc/1/comm)" = docker-init ] && exit 42', hostConfig: { Init: true } },
  { name: 'InteractiveTTY', script: '[ -t 1 ] && exit 42', config: { Tty: true, OpenStdin: true } },
  {
    // sysfs read-write, no seccomp filter, CAP_SYS_ADMIN (bit 21) and host devices: none of them without privileged.
    name: 'Privileged',
    script: 'grep -q " /sys sysfs rw" /proc/mounts && grep -qE "^Seccomp:[[:space:]]+0$" /proc/self/status'
      + ' && c=$(grep CapEff /proc/self/status | cut -f2) && [ $(( 0x$c >> 21 & 1 )) = 1 ]'
      + ` && ls /dev | grep -qvxE "${DEFAULT_DEV}" && exit 42`,
    hostConfig: PRIVILEGED,
  },
  { name: 'ReadonlyRootfs', script: 'grep -qE "^[^ ]+ / [^ ]+ ro[ ,]" /proc/mounts && ! touch /x 2>/dev/null && exit 42', hostConfig: { ReadonlyRootfs: true } },
  { name: 'SecurityOptNoNewPrivileges', script: 'grep -q "NoNewPrivs:.*1" /proc/self/status && exit 42', hostConfig: { SecurityOpt: ['no-new-privileges'] } },
  { name: 'ShmSize', script: 'df -k /dev/shm | grep -q " 131072 " && exit 42', hostConfig: { ShmSize: 128 * 2 ** 20 } },
  { name: 'Sysctl', script: '[ "$(cat /proc/sys/net/core/somaxconn)" = 1234 ] && exit 42', hostConfig: { Sysctls: { 'net.core.somaxconn': '1234' } } },
  { name: 'Tmpfs', script: 'grep -q " /berth-tmp tmpfs" /proc/mounts && exit 42', hostConfig: { Tmpfs: { '/berth-tmp': 'rw,size=1m' } } },
  { name: 'UlimitNofiles', script: '[ "$(ulimit -n)" = 1024 ] && exit 42', hostConfig: { Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }] } },
  { name: 'UserNobody', script: '[ "$(id -u)" = 65534 ] && exit 42', config: { User: 'nobody' } },
  { name: 'WorkingDir', script: '[ "$(pwd)" = /tmp ] && exit 42', config: { WorkingDir: '/tmp' } },
  // Container definition members outside dockerConfig.
  { name: 'EntryPoint', script: '', container: { entryPoint: ['sh', '-c', 'exit 42'], command: [] } },
  { name: 'Environment', script: '[ "$GREETING" = "hello berth" ] && [ -n "$ECS_CONTAINER_METADATA_URI_V4" ] && exit 42', container: { environment: { GREETING: 'hello berth' } } },
  {
    name: 'EnvironmentFiles',
    script: '[ "$FROM_FILE" = yes ] && [ "$BOTH" = definition ] && exit 42',
    container: { environment: { BOTH: 'definition' }, environmentFiles: [{ value: envFile, type: 's3' }] },
  },
  { name: 'OverridesCommand', script: 'exit 1', container: { overrides: JSON.stringify({ command: ['sh', '-c', 'exit 42'] }) } },
];

t.test('dockerConfig settings take effect (the official simple tests)', async (t) => {
  t.teardown(() => rmSync(envDir, { recursive: true, force: true }));
  const rig = await engineRig(t, { slice: 3 });
  const arns = new Map(ROWS.map((r) => [r.name, rig.arn()]));
  rig.send(...ROWS.map((r) => acsTask(arns.get(r.name)!, [{
    name: 'c',
    command: sh(r.script),
    ...(r.config || r.hostConfig ? { dockerConfig: { config: JSON.stringify(r.config ?? {}), hostConfig: JSON.stringify(r.hostConfig ?? {}) } } : {}),
    ...r.container,
  }])));
  await Promise.all(ROWS.map(async (r) => {
    const arn = arns.get(r.name)!;
    await rig.reported(arn, 'STOPPED');
    const c = rig.containers(arn)['c'];
    t.equal(c?.['exitCode'], 42, `${r.name}: exits 42${c?.['reason'] ? ` (${String(c['reason'])})` : ''}`);
  }));
});

t.test('cpu, memory and memoryReservation become CpuShares, Memory and MemoryReservation', async (t) => {
  const rig = await engineRig(t, { slice: 5 });
  const arn = rig.arn();
  rig.send(acsTask(arn, [{ name: 'sized', cpu: 256, memory: 96, command: sh('exit 0'), dockerConfig: { config: '{}', hostConfig: JSON.stringify({ MemoryReservation: 48 * 2 ** 20 }) } }]));
  await rig.reported(arn, 'STOPPED');
  t.match(inspect(arn, 'sized').HostConfig, { CpuShares: 256, Memory: 96 * 2 ** 20, MemoryReservation: 48 * 2 ** 20 });
});

t.test('a privileged container fails to create when ECS_DISABLE_PRIVILEGED is set', async (t) => {
  const rig = await engineRig(t, { slice: 6, env: { ECS_DISABLE_PRIVILEGED: 'true' } });
  const arn = rig.arn();
  rig.send(acsTask(arn, [{ name: 'root', command: sh('exit 0'), dockerConfig: { config: '{}', hostConfig: '{"Privileged":true}' } }]));
  await rig.reported(arn, 'STOPPED');
  t.match(rig.containers(arn)['root'], { status: 'STOPPED', reason: /^CannotCreateContainerError: privileged containers are disabled/ });
});
