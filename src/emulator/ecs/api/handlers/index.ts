import type { Handler } from '../handler.js';
import { createService } from './create-service.js';
import { updateService } from './update-service.js';
import { deleteService } from './delete-service.js';
import { describeServices } from './describe-services.js';
import { listServices } from './list-services.js';
import { startTask } from './start-task.js';
import { updateContainerInstancesState } from './update-container-instances-state.js';
import { deregisterContainerInstance } from './deregister-container-instance.js';
import { putAttributes } from './put-attributes.js';
import { deleteAttributes } from './delete-attributes.js';
import { listAttributes } from './list-attributes.js';
import { tagResource } from './tag-resource.js';
import { untagResource } from './untag-resource.js';
import { deregisterTaskDefinition } from './deregister-task-definition.js';
import { deleteTaskDefinitions } from './delete-task-definitions.js';
import { listTaskDefinitions } from './list-task-definitions.js';
import { listTaskDefinitionFamilies } from './list-task-definition-families.js';
import { deleteCluster } from './delete-cluster.js';
import { updateCluster } from './update-cluster.js';
import { updateClusterSettings } from './update-cluster-settings.js';
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
import { getTaskProtection } from './get-task-protection.js';
import { updateTaskProtection } from './update-task-protection.js';

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
  CreateService: createService,
  UpdateService: updateService,
  DeleteService: deleteService,
  DescribeServices: describeServices,
  ListServices: listServices,
  StartTask: startTask,
  UpdateContainerInstancesState: updateContainerInstancesState,
  DeregisterContainerInstance: deregisterContainerInstance,
  PutAttributes: putAttributes,
  DeleteAttributes: deleteAttributes,
  ListAttributes: listAttributes,
  TagResource: tagResource,
  UntagResource: untagResource,
  DeregisterTaskDefinition: deregisterTaskDefinition,
  DeleteTaskDefinitions: deleteTaskDefinitions,
  ListTaskDefinitions: listTaskDefinitions,
  ListTaskDefinitionFamilies: listTaskDefinitionFamilies,
  DeleteCluster: deleteCluster,
  UpdateCluster: updateCluster,
  UpdateClusterSettings: updateClusterSettings,
  GetTaskProtection: getTaskProtection,
  UpdateTaskProtection: updateTaskProtection,
};
