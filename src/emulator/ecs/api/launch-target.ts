/**
 * Where RunTask and CreateService may put a task: launchType or a capacityProviderStrategy (never both, as ECS
 * says), and only where the task definition can run. EC2 and EXTERNAL tasks go to container instances. Fargate
 * capacity (FARGATE / FARGATE_SPOT, capacity provider strategies) does not exist in berth yet, so asking for it is
 * refused by name rather than quietly placed on an instance.
 */
import { invalidParameter } from '../errors.js';
import type { EmulatorContext } from '../context.js';
import type { ClusterRecord } from '../records.js';
import { compatibilitiesOf } from './fargate-rules.js';
import { checkStrategy } from './capacity-providers.js';

/**
 * `requested`: the call's capacityProviderStrategy. Without it and without a launch type, the cluster's default
 * strategy applies, as in ECS.
 */
export function checkLaunchTarget(ctx: EmulatorContext, cluster: ClusterRecord, body: Record<string, unknown>, launchType: string | undefined, requested: readonly unknown[] | undefined): void {
  if (launchType !== undefined && requested !== undefined && requested.length > 0) {
    throw invalidParameter('Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
  }
  const explicit = checkStrategy(ctx, requested, cluster.capacityProviders ?? [], 'capacityProviderStrategy');
  const capacityProviderStrategy = explicit.length > 0 || launchType !== undefined ? explicit : (cluster.defaultCapacityProviderStrategy ?? []);
  const compatibilities = compatibilitiesOf(body);
  const required = Array.isArray(body['requiresCompatibilities']) ? (body['requiresCompatibilities'] as string[]) : [];
  const wanted = launchType ?? 'EC2';
  // A definition registered for FARGATE only cannot run as an EC2 task, and a FARGATE task needs a Fargate definition.
  if (!compatibilities.includes(wanted) || (required.length > 0 && !required.includes(wanted) && !(wanted === 'EC2' && required.includes('EXTERNAL')))) {
    throw invalidParameter(`Task definition does not support launch_type ${wanted}.`);
  }
  if (launchType === 'FARGATE' || (capacityProviderStrategy?.length ?? 0) > 0) {
    throw invalidParameter(`${launchType === 'FARGATE' ? 'launchType FARGATE' : 'capacityProviderStrategy'} is not emulated by berth yet: there is no Fargate or capacity provider capacity; run the task with launchType EC2 or EXTERNAL on a container instance.`);
  }
  if (launchType === 'MANAGED_INSTANCES') throw invalidParameter('launchType MANAGED_INSTANCES is not emulated by berth.');
}

/** platformVersion is Fargate's: ECS refuses it for any other launch type. */
export function checkPlatformVersion(platformVersion: string | undefined, launchType: string | undefined): void {
  if (platformVersion !== undefined && launchType !== 'FARGATE') {
    throw invalidParameter(`The platform version must be null when specifying an ${launchType ?? 'EC2'} launch type.`);
  }
}

/** ECS Exec (enableExecuteCommand) needs the SSM agent and session manager: not emulated, so true is refused. */
export function refuseExecuteCommand(enable: boolean | undefined): void {
  if (enable === true) throw invalidParameter('enableExecuteCommand is not emulated by berth (ECS Exec needs Session Manager).');
}
