import type { Handler } from '../handler.js';
import { createCluster } from './create-cluster.js';
import { describeClusters } from './describe-clusters.js';
import { describeContainerInstances } from './describe-container-instances.js';
import { describeTaskDefinition } from './describe-task-definition.js';
import { describeTasks } from './describe-tasks.js';
import { discoverPollEndpoint } from './discover-poll-endpoint.js';
import { listClusters } from './list-clusters.js';
import { listContainerInstances } from './list-container-instances.js';
import { listTagsForResource } from './list-tags-for-resource.js';
import { listTasks } from './list-tasks.js';
import { registerContainerInstance } from './register-container-instance.js';
import { registerTaskDefinition } from './register-task-definition.js';
import { runTask } from './run-task.js';
import { stopTask } from './stop-task.js';
import { submitAttachmentStateChanges } from './submit-attachment-state-changes.js';
import { submitContainerStateChange } from './submit-container-state-change.js';
import { submitTaskStateChange } from './submit-task-state-change.js';

/** ECS operation name (the part of X-Amz-Target after the dot) -> handler. */
export const HANDLERS: Readonly<Record<string, Handler>> = {
  CreateCluster: createCluster,
  DescribeClusters: describeClusters,
  ListClusters: listClusters,
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition,
  RunTask: runTask,
  StopTask: stopTask,
  DescribeTasks: describeTasks,
  ListTasks: listTasks,
  RegisterContainerInstance: registerContainerInstance,
  DescribeContainerInstances: describeContainerInstances,
  ListContainerInstances: listContainerInstances,
  DiscoverPollEndpoint: discoverPollEndpoint,
  SubmitTaskStateChange: submitTaskStateChange,
  SubmitContainerStateChange: submitContainerStateChange,
  SubmitAttachmentStateChanges: submitAttachmentStateChanges,
  ListTagsForResource: listTagsForResource,
};
