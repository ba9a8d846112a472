/**
 * `berth up`: the emulator and an agent for this host in one process, cluster `default` unless told otherwise.
 * The agent is configured exactly as a user would configure the official agent against a local control plane
 * (spec §1.7): ECS_BACKEND_HOST pointing at the emulator, a data dir, a region and (dummy) credentials.
 */
import path from 'node:path';
import { CreateClusterCommand, DescribeContainerInstancesCommand, ECSClient } from '@aws-sdk/client-ecs';
import type { Logger } from '../shared/log.js';
import { startEmulator } from '../emulator/index.js';
import type { VpcOptions } from '../emulator/vpc/vpc.js';
import type { EcrRegistryOptions } from '../emulator/ecr/registry.js';
import { loadConfig, startAgent } from '../agent/index.js';

export interface UpOptions {
  port: number;
  dataDir: string;
  cluster: string;
  region: string;
  /** A simulated VPC for awsvpc tasks (root): the agent then opts in to ECS_ENABLE_TASK_ENI. */
  vpc?: VpcOptions | undefined;
  /** An emulated ECR registry: images there pull with ECR tokens from the emulator. */
  ecr?: EcrRegistryOptions | undefined;
  /** The built-in ECR registry's settings, or false (see EmulatorOptions.ecrRegistry). */
  ecrRegistry?: { port?: number } | false | undefined;
  env: NodeJS.ProcessEnv;
  log: Logger;
  print: (line: string) => void;
}

export interface Up {
  readonly url: string;
  /** Resolves with the agent's exit code if it stops by itself. */
  readonly done: Promise<number>;
  close(): Promise<void>;
}

/** Dummy credentials for the local control plane unless the user has real ones in the environment. */
/** What `berth up` signs with (and `berth logs` too) when the environment has no AWS keys. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIDBERTHLOCAL', secretAccessKey: 'berth-local-secret' };

async function advertisesTaskEni(ecs: ECSClient, cluster: string, arn: string): Promise<boolean> {
  const out = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }));
  return (out.containerInstances?.[0]?.attributes ?? []).some((a) => a.name === 'ecs.capability.task-eni');
}

export async function runUp(opts: UpOptions): Promise<Up> {
  const dataDir = path.resolve(opts.dataDir);
  const emulator = await startEmulator({
    port: opts.port,
    dataDir: path.join(dataDir, 'emulator'),
    region: opts.region,
    log: opts.log.child({ component: 'emulator' }),
    vpc: opts.vpc,
    ecr: opts.ecr,
    ecrRegistry: opts.ecrRegistry,
  });
  try {
    const ecs = new ECSClient({ endpoint: emulator.url, region: opts.region, credentials: LOCAL_CREDENTIALS });
    await ecs.send(new CreateClusterCommand({ clusterName: opts.cluster }));

    const env: NodeJS.ProcessEnv = {
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      ...opts.env,
      ECS_CLUSTER: opts.cluster,
      ECS_BACKEND_HOST: emulator.url,
      // Per-container registry credentials (repositoryCredentials) are secrets in the emulator's Secrets Manager.
      AWS_ENDPOINT_URL_SECRETS_MANAGER: opts.env['AWS_ENDPOINT_URL_SECRETS_MANAGER'] ?? emulator.url,
      // Container secrets with an SSM valueFrom are parameters in the emulator's Parameter Store.
      AWS_ENDPOINT_URL_SSM: opts.env['AWS_ENDPOINT_URL_SSM'] ?? emulator.url,
      // awslogs containers ship to the emulator's CloudWatch Logs (awslogs-endpoint), signed as the task's execution role.
      AWS_ENDPOINT_URL_LOGS: opts.env['AWS_ENDPOINT_URL_LOGS'] ?? emulator.url,
      // ecs-init's list; the agent advertises only the drivers Docker really has (docker info).
      ECS_AVAILABLE_LOGGING_DRIVERS: opts.env['ECS_AVAILABLE_LOGGING_DRIVERS'] ?? '["json-file","syslog","awslogs","fluentd","none"]',
      ECS_DATADIR: path.join(dataDir, 'agent'),
      AWS_DEFAULT_REGION: opts.region,
      ECS_EXTERNAL: opts.env['ECS_EXTERNAL'] ?? 'true',
      // Locally built images are the norm here and there may be no registry: use the cache, pull what is missing.
      ECS_IMAGE_PULL_BEHAVIOR: opts.env['ECS_IMAGE_PULL_BEHAVIOR'] ?? 'prefer-cached',
      // ECS_EXTERNAL instances advertise ecs.capability.task-eni only when opted in (spec §9); with a VPC that is
      // the point. The agent still checks root, the CNI plugins and the pause image before it advertises it.
      ...(opts.vpc ? { ECS_ENABLE_TASK_ENI: opts.env['ECS_ENABLE_TASK_ENI'] ?? 'true' } : {}),
    };
    const config = loadConfig(env, { configFile: opts.env['BERTH_CONFIG_FILE'] ?? '/nonexistent/berth-up' });
    const agent = await startAgent({ config, log: opts.log.child({ component: 'agent' }) });
    if (opts.vpc && !(await advertisesTaskEni(ecs, opts.cluster, agent.containerInstanceArn))) {
      opts.log.warn({ cluster: opts.cluster }, "the agent did not register ecs.capability.task-eni, so awsvpc tasks will not be placed (see its 'awsvpc network mode not available' log line)");
    }
    ecs.destroy();

    opts.print(`berth is up: ECS endpoint ${emulator.url} (region ${opts.region}), cluster '${opts.cluster}'`);
    opts.print(`container instance: ${agent.containerInstanceArn}`);
    opts.print('try:');
    opts.print(`  export AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} AWS_DEFAULT_REGION=${opts.region}`);
    opts.print(`  aws --endpoint-url ${emulator.url} ecs register-task-definition --family web --container-definitions '[{"name":"web","image":"berth/busybox:latest","memory":64,"essential":true,"command":["httpd","-f","-p","8080","-h","/www"],"portMappings":[{"containerPort":8080,"hostPort":0}]}]'`);
    opts.print(`  aws --endpoint-url ${emulator.url} ecs run-task --cluster ${opts.cluster} --task-definition web`);
    opts.print(`  aws --endpoint-url ${emulator.url} ecs describe-tasks --cluster ${opts.cluster} --tasks <taskArn>`);
    if (opts.vpc) {
      const subnetId = opts.vpc.subnetId ?? 'subnet-0berth0000000001';
      opts.print(`awsvpc: simulated VPC ${subnetId} (${opts.vpc.subnetCidr}); register with --network-mode awsvpc and run with`);
      opts.print(`  aws --endpoint-url ${emulator.url} ecs run-task --cluster ${opts.cluster} --task-definition <family> --network-configuration 'awsvpcConfiguration={subnets=[${subnetId}]}'`);
    }
    if (!opts.ecr && emulator.ecrRegistry) {
      const registry = emulator.ecrRegistry;
      opts.print(`ECR: a registry at ${registry}; push an image and run it:`);
      opts.print(`  aws --endpoint-url ${emulator.url} ecr create-repository --repository-name web`);
      opts.print(`  aws --endpoint-url ${emulator.url} ecr get-login-password | docker login --username AWS --password-stdin ${registry}`);
      opts.print(`  docker tag berth/busybox:latest ${registry}/web:1 && docker push ${registry}/web:1   # then "image": "${registry}/web:1"`);
    }
    if (opts.ecr) {
      opts.print(`ECR: images on ${opts.ecr.registry} pull with ECR tokens from ${opts.ecr.endpoint ?? emulator.url}; try`);
      opts.print(`  aws --endpoint-url ${emulator.url} ecr get-authorization-token`);
    }
    opts.print('Ctrl-C stops both (task containers keep running and are picked up again next time).');

    let closed = false;
    return {
      url: emulator.url,
      done: agent.done,
      async close() {
        if (closed) return;
        closed = true;
        await agent.close();
        await emulator.close();
      },
    };
  } catch (err) {
    await emulator.close();
    throw err;
  }
}
