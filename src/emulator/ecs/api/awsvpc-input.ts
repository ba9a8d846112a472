/**
 * RunTask / StartTask checks for awsvpc, with ECS's messages: the network configuration must be given (and
 * only for awsvpc) and its subnets must exist in the simulated VPC. Only instances that registered
 * ecs.capability.task-eni take the task: a required attribute of awsvpc definitions (scheduler/required-attributes.ts).
 */
import type { EmulatorContext } from '../context.js';
import { invalidParameter } from '../errors.js';
import { isRecord } from '../validate.js';

export function checkAwsvpcInput(ctx: EmulatorContext, networkMode: unknown, networkConfiguration: unknown): void {
  if (networkMode !== 'awsvpc') {
    if (networkConfiguration !== undefined) throw invalidParameter('Network Configuration is not valid for the given networkMode of this task definition.');
    return;
  }
  const awsvpc = isRecord(networkConfiguration) ? networkConfiguration['awsvpcConfiguration'] : undefined;
  if (!isRecord(awsvpc)) throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  const subnets = awsvpc['subnets'];
  if (!Array.isArray(subnets) || subnets.length === 0) throw invalidParameter('subnets can not be empty.');
  if (!ctx.vpc) throw invalidParameter('awsvpc network mode needs a VPC: this emulator runs without one (start it with a vpc subnet).');
  const unknown = subnets.find((s) => s !== ctx.vpc!.subnetId);
  if (unknown !== undefined) throw invalidParameter(`Error retrieving subnet information for [${String(unknown)}]: The subnet ID '${String(unknown)}' does not exist`);
}
