/**
 * Capacity providers through the aws CLI: FARGATE and FARGATE_SPOT exist in every account, Auto Scaling group
 * providers are validated and stored, clusters take providers and a default strategy with ECS's rules, a provider
 * in use cannot be deleted, and tasks asked onto capacity berth does not have are refused by name.
 */
import t from 'tap';
import { awsCli, awsCliOk, skipWithoutAwsCli, type Json } from '../../kit/aws-cli.js';
import { startTestEmulator } from '../../kit/emulator.js';

const ASG = 'arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:11111111-2222-3333-4444-555555555555:autoScalingGroupName/web-asg';

t.test('capacity providers and cluster strategies', skipWithoutAwsCli(), async (t) => {
  const { emu } = await startTestEmulator(t);
  const ecs = (...args: string[]) => awsCliOk(emu.url, ['ecs', ...args]);
  const fails = async (args: string[], pattern: RegExp) => {
    const r = await awsCli(emu.url, ['ecs', ...args]);
    t.notOk(r.ok, args.join(' '));
    if (!r.ok) t.match(r.error, pattern, args.join(' '));
  };

  const builtIn = await ecs('describe-capacity-providers', '--capacity-providers', 'FARGATE', 'FARGATE_SPOT', 'nope');
  t.same((builtIn['capacityProviders'] as Json[]).map((p) => [p['name'], p['status']]), [['FARGATE', 'ACTIVE'], ['FARGATE_SPOT', 'ACTIVE']]);
  t.same((builtIn['failures'] as Json[]).map((f) => f['reason']), ['MISSING']);

  const created = (await ecs('create-capacity-provider', '--name', 'web-cp', '--auto-scaling-group-provider',
    `autoScalingGroupArn=${ASG},managedScaling={status=ENABLED,targetCapacity=80},managedTerminationProtection=ENABLED`, '--tags', 'key=team,value=web'))['capacityProvider'] as Json;
  t.match(created, { name: 'web-cp', status: 'ACTIVE', capacityProviderArn: 'arn:aws:ecs:us-east-1:000000000000:capacity-provider/web-cp', autoScalingGroupProvider: { autoScalingGroupArn: ASG, managedScaling: { status: 'ENABLED', targetCapacity: 80 }, managedTerminationProtection: 'ENABLED' } });
  await fails(['create-capacity-provider', '--name', 'web-cp', '--auto-scaling-group-provider', `autoScalingGroupArn=${ASG}`], /\(ClientException\).*already exists/);
  await fails(['create-capacity-provider', '--name', 'FargateX', '--auto-scaling-group-provider', `autoScalingGroupArn=${ASG}`], /\(InvalidParameterException\).*can't start with 'aws', 'ecs', or 'fargate'/);
  await fails(['create-capacity-provider', '--name', 'bad-arn', '--auto-scaling-group-provider', 'autoScalingGroupArn=not-an-arn'], /Auto Scaling group ARN is not valid/);
  await fails(['create-capacity-provider', '--name', 'tp', '--auto-scaling-group-provider', `autoScalingGroupArn=${ASG},managedTerminationProtection=ENABLED`], /managed termination protection .* must have managed scaling enabled/);
  await fails(['create-capacity-provider', '--name', 'tc', '--auto-scaling-group-provider', `autoScalingGroupArn=${ASG},managedScaling={targetCapacity=101}`], /targetCapacity must be between 1 and 100/);
  const updated = (await ecs('update-capacity-provider', '--name', 'web-cp', '--auto-scaling-group-provider', 'managedScaling={status=ENABLED,targetCapacity=60},managedTerminationProtection=ENABLED'))['capacityProvider'] as Json;
  t.match(updated, { updateStatus: 'UPDATE_COMPLETE', autoScalingGroupProvider: { autoScalingGroupArn: ASG, managedScaling: { targetCapacity: 60 } } });

  const cluster = (await ecs('create-cluster', '--cluster-name', 'cp', '--capacity-providers', 'FARGATE', 'FARGATE_SPOT',
    '--default-capacity-provider-strategy', 'capacityProvider=FARGATE,base=1,weight=1', 'capacityProvider=FARGATE_SPOT,weight=3'))['cluster'] as Json;
  t.same(cluster['capacityProviders'], ['FARGATE', 'FARGATE_SPOT']);
  t.same(cluster['defaultCapacityProviderStrategy'], [{ capacityProvider: 'FARGATE', weight: 1, base: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 }]);
  await fails(['put-cluster-capacity-providers', '--cluster', 'cp', '--capacity-providers', 'FARGATE', 'web-cp', '--default-capacity-provider-strategy', 'capacityProvider=FARGATE,weight=1', 'capacityProvider=web-cp,weight=1'], /cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers/);
  await fails(['put-cluster-capacity-providers', '--cluster', 'cp', '--capacity-providers', 'FARGATE', '--default-capacity-provider-strategy', 'capacityProvider=FARGATE_SPOT,weight=1'], /not associated with the cluster/);
  await fails(['put-cluster-capacity-providers', '--cluster', 'cp', '--capacity-providers', 'FARGATE', 'FARGATE_SPOT', '--default-capacity-provider-strategy', 'capacityProvider=FARGATE,base=1,weight=1', 'capacityProvider=FARGATE_SPOT,base=1,weight=1'], /Only one capacity provider .* base value greater than zero/);
  await fails(['put-cluster-capacity-providers', '--cluster', 'cp', '--capacity-providers', 'nope', '--default-capacity-provider-strategy', 'capacityProvider=nope,weight=1'], /The specified capacity provider nope does not exist/);
  const described = ((await ecs('describe-clusters', '--clusters', 'cp'))['clusters'] as Json[])[0]!;
  t.same(described['capacityProviders'], ['FARGATE', 'FARGATE_SPOT'], 'a refused change leaves the cluster as it was');

  await ecs('create-cluster', '--cluster-name', 'asg', '--capacity-providers', 'web-cp', '--default-capacity-provider-strategy', 'capacityProvider=web-cp,weight=1');
  await fails(['delete-capacity-provider', '--capacity-provider', 'web-cp'], /\(ClientException\).*in use and cannot be removed/);
  await fails(['delete-capacity-provider', '--capacity-provider', 'FARGATE'], /cannot be deleted/);
  await ecs('put-cluster-capacity-providers', '--cluster', 'asg', '--capacity-providers', '[]', '--default-capacity-provider-strategy', '[]');
  t.match((await ecs('delete-capacity-provider', '--capacity-provider', 'web-cp'))['capacityProvider'], { status: 'INACTIVE', updateStatus: 'DELETE_COMPLETE' });

  // The cluster's default strategy applies to a RunTask without a launch type: capacity berth does not have.
  await ecs('register-task-definition', '--family', 'plain', '--container-definitions', JSON.stringify([{ name: 'web', image: 'berth/busybox:latest', memory: 32 }]));
  await fails(['run-task', '--cluster', 'cp', '--task-definition', 'plain'], /capacityProviderStrategy is not emulated by berth yet/);
});
