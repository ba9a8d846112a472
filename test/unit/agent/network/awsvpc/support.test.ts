/**
 * The awsvpc settings as configuration and CNI network configs (no root, no Docker): ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES
 * becomes ecs-ipam-style routes without a gateway after the credentials route; ECS_AWSVPC_BLOCK_IMDS is off by default.
 */
import t from 'tap';
import { loadConfig } from '../../../../../src/agent/config/config.js';
import { bridgeNetworkConfig, eniNetworkConfig } from '../../../../../src/agent/network/awsvpc/task-network.js';
import { parseEni } from '../../../../../src/agent/model/eni.js';

const load = (env: Record<string, string>) => loadConfig({ AWS_DEFAULT_REGION: 'us-west-2', ...env }, { configFile: '/nonexistent/berth-awsvpc.config' });

t.test('the additional local routes follow the credentials route in the bridge IPAM config, with no gateway', async (t) => {
  const cfg = bridgeNetworkConfig({ bridgeName: 'ecs-bridge', ipamDir: '/tmp/ipam', additionalLocalRoutes: ['10.0.0.0/16', '192.0.2.7/32'] });
  t.same((cfg['ipam'] as { routes: unknown }).routes, [{ dst: '169.254.170.2/32' }, { dst: '10.0.0.0/16' }, { dst: '192.0.2.7/32' }]);
  t.same((bridgeNetworkConfig({ bridgeName: 'b', ipamDir: '/x' })['ipam'] as { routes: unknown }).routes, [{ dst: '169.254.170.2/32' }], 'only the credentials route by default');
});

t.test('the ENI config keeps the default route on the ENI', async (t) => {
  const eni = parseEni({ ec2Id: 'eni-1', macAddress: '02:00:00:00:00:01', ipv4Addresses: [{ privateAddress: '10.1.0.5', primary: true }], subnetGatewayIpv4Address: '10.1.0.1/24' });
  t.same((eniNetworkConfig(eni)['ipam'] as { routes: unknown }).routes, [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }]);
});

t.test('ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES is a JSON array of IPv4 CIDRs, normalised to their network', async (t) => {
  t.same(load({}).awsvpcAdditionalLocalRoutes, []);
  t.same(load({ ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES: '["10.77.1.2/16","192.0.2.7/32","0.0.0.0/0"]' }).awsvpcAdditionalLocalRoutes, ['10.77.0.0/16', '192.0.2.7/32', '0.0.0.0/0']);
  t.throws(() => load({ ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES: '10.0.0.0/16' }), { code: 'ConfigError', message: /ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES.*not JSON/ });
  t.throws(() => load({ ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES: '["10.0.0.0"]' }), { code: 'ConfigError', message: /IPv4 CIDR/ });
  t.throws(() => load({ ECS_AWSVPC_ADDITIONAL_LOCAL_ROUTES: '["10.0.0.300/8"]' }), { code: 'ConfigError' });
});

t.test('ECS_AWSVPC_BLOCK_IMDS is off unless set', async (t) => {
  t.equal(load({}).awsvpcBlockImds, false);
  t.equal(load({ ECS_AWSVPC_BLOCK_IMDS: 'true' }).awsvpcBlockImds, true);
});
