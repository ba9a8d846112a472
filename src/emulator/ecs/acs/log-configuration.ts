/**
 * A container's logConfiguration as ECS hands it to an agent. For awslogs, ECS itself turns the task
 * definition's `awslogs-stream-prefix` into Docker's `awslogs-stream` (`<prefix>/<container name>/<task id>`):
 * Docker has no prefix option and the official agent never mentions it. Every other option goes as written
 * (`awslogs-create-group`, `mode`, `max-buffer-size`, ...). A definition with no `awslogs-region` gets the region
 * the task runs in, which is what dockerd finds in instance metadata on EC2; here there is no metadata service.
 */
export interface LogConfiguration {
  logDriver?: string;
  options?: Record<string, string>;
  /** Log driver options read from Secrets Manager or Parameter Store (sent as secrets with target LOG_DRIVER). */
  secretOptions?: { name?: string; valueFrom?: string }[];
}

export function logConfigurationForAgent(lc: LogConfiguration | undefined, containerName: string, taskArn: string, region: string): LogConfiguration | undefined {
  if (!lc?.logDriver || lc.logDriver !== 'awslogs') return lc;
  const options = { ...lc.options };
  const prefix = options['awslogs-stream-prefix'];
  delete options['awslogs-stream-prefix'];
  if (prefix !== undefined && prefix !== '') options['awslogs-stream'] = `${prefix}/${containerName}/${taskArn.slice(taskArn.lastIndexOf('/') + 1)}`;
  if (options['awslogs-region'] === undefined) options['awslogs-region'] = region;
  return { ...lc, options };
}

/** The awslogs driver signs with the task's execution role when the definition has one (logsAuthStrategy). */
export function usesExecutionRoleForLogs(lc: LogConfiguration | undefined, executionRoleArn: unknown): boolean {
  return lc?.logDriver === 'awslogs' && typeof executionRoleArn === 'string' && executionRoleArn !== '';
}
