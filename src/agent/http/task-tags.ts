/**
 * The tags of `taskWithTags` / `metadataWithTags` (spec §8.2): the container instance's and the task's tags,
 * looked up with ECS ListTagsForResource on every request (the official agent caches nothing either). The
 * lookup itself is injected (the agent's ECS client with instance credentials); a failed lookup leaves its
 * member out and, on v4, adds an `Errors[]` entry, while the rest of the answer is still served with 200.
 */
import { awsErrorFields } from './aws-error.js';

/** resourceArn -> tag key -> value. Rejects with the ECS error when the lookup fails. */
export type ResourceTagsLookup = (resourceArn: string, signal: AbortSignal) => Promise<Record<string, string>>;

/** One `Errors[]` entry, as the official agent's v4 ErrorResponse (all members omitempty). */
export interface TagErrorResponse {
  ErrorField: 'ContainerInstanceTags' | 'TaskTags';
  ErrorCode?: string;
  ErrorMessage?: string;
  StatusCode?: number;
  RequestId?: string;
  ResourceARN?: string;
}

export interface TaskTagMembers {
  TaskTags?: Record<string, string>;
  ContainerInstanceTags?: Record<string, string>;
  /** Only v4 answers carry it; empty when both lookups worked. */
  Errors: TagErrorResponse[];
}

function errorResponse(field: TagErrorResponse['ErrorField'], arn: string, err: unknown): TagErrorResponse {
  const f = awsErrorFields(err);
  const out: TagErrorResponse = { ErrorField: field };
  if (f.code) out.ErrorCode = f.code;
  if (f.message) out.ErrorMessage = f.message;
  if (f.statusCode) out.StatusCode = f.statusCode;
  if (f.requestId) out.RequestId = f.requestId;
  if (arn) out.ResourceARN = arn;
  return out;
}

/** Both lookups run at once; errors are listed in the official order (instance first, then task). */
export async function taskTagMembers(lookup: ResourceTagsLookup, ids: { containerInstanceArn: string; taskArn: string }, signal: AbortSignal): Promise<TaskTagMembers> {
  const [instance, task] = await Promise.allSettled([lookup(ids.containerInstanceArn, signal), lookup(ids.taskArn, signal)]);
  const out: TaskTagMembers = { Errors: [] };
  if (instance.status === 'fulfilled') out.ContainerInstanceTags = instance.value;
  else out.Errors.push(errorResponse('ContainerInstanceTags', ids.containerInstanceArn, instance.reason));
  if (task.status === 'fulfilled') out.TaskTags = task.value;
  else out.Errors.push(errorResponse('TaskTags', ids.taskArn, task.reason));
  return out;
}
