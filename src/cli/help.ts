/**
 * Every help text. The agent's variable list is generated from src/agent/config/vars.ts, the registry that
 * test/unit/agent/config/vars.test.ts keeps in step with what loadConfig reads.
 */
import { formatConfigVariables } from '../agent/config/vars.js';

const COMMON_FLAGS = `Logging (every command):
  --log-level LEVEL   trace, debug, info, warn, error, silent (agent default: ECS_LOGLEVEL, else info)
  --pretty            human-readable logs (the default when stderr is a terminal)
  --json              JSON logs even on a terminal (the default otherwise: one pino object per line on stderr)
  -h, --help          this help`;

const VPC_FLAGS = `Simulated VPC for awsvpc tasks (off unless --vpc-cidr is given; root and Linux only):
  --vpc-cidr CIDR     the subnet, an IPv4 /16../28 clear of Docker's networks (e.g. 10.213.0.0/24); the host
                      reaches every task at its ENI address through the subnet's bridge (gateway: first address)
  --vpc-subnet-id ID  the subnet id RunTask names in awsvpcConfiguration (default subnet-0berth0000000001)
  --vpc-bridge NAME   the subnet's Linux bridge (default berth-vpc0, at most 15 characters)
  --vpc-veth-prefix P prefix of the ENI veths (default bvpc, at most 8 characters)
  --vpc-domain NAME   DNS search domain of the ENIs (default ec2.internal; the DNS server is the subnet's
                      second address, as in AWS)`;

const ECR_FLAGS = `ECR (on by default: the emulator's own registry, /usr/bin/docker-registry behind an ECR front;
each flag has a BERTH_ECR_* environment twin):
  --ecr-port PORT             the registry's port on the emulator's host (default: the emulator's port + 1; 0 picks
                              one): repositoryUri is <host>:<port>/<name>, which docker accepts on this machine
                              with no daemon configuration (a loopback registry) [BERTH_ECR_PORT]
  --ecr-registry HOST:PORT    instead, an external Docker registry (htpasswd) that plays the account's ECR registry:
                              tasks with images there pull with ECR tokens (registryAuthentication type ecr); it
                              has no repositories API [BERTH_ECR_REGISTRY]
  --ecr-credentials USER:PASS its login, handed out by GetAuthorizationToken [BERTH_ECR_CREDENTIALS; prefer
                              the variable: a flag shows in ps]
  --ecr-endpoint URL          where agents reach the emulator's ECR API for that registry (default: the
                              emulator's URL) [BERTH_ECR_ENDPOINT]`;

const EXIT_CODES = `Exit codes: 0 clean, 1 transient failure (restart me), 2 bad command line,
            5 terminal failure (bad configuration, cluster or attribute mismatch: do not restart).`;

export const MAIN_HELP = `berth — an Amazon ECS container agent and a local ECS control plane

Usage:
  berth agent [flags]       run the container agent (configured like the official agent: ECS_* variables
                            and /etc/ecs/ecs.config)
  berth emulator [flags]    run the local ECS control plane (ECS JSON 1.1 API, ACS and TCS websockets)
  berth up [flags]          run the emulator and an agent for this host together (what 'npm start' runs)
  berth logs <task> [flags] print a task's log lines (CloudWatch Logs for awslogs, Docker for json-file)
  berth version             print the version
  berth <command> --help    flags and variables of one command

${EXIT_CODES}
`;

export function agentHelp(): string {
  return `Usage: berth agent [flags]

Registers this host as an ECS container instance, keeps the ACS connection to the control plane and runs the
tasks it is sent with Docker. SIGTERM, SIGINT and SIGHUP stop the agent and leave task containers running.

Flags:
  --healthcheck       ask the running agent whether it is healthy (GET /v1/metadata on the introspection
                      port, like the official -healthcheck); exit 0 when healthy, 1 when not
  --config FILE       the KEY=VALUE file read before the environment (default: BERTH_CONFIG_FILE,
                      else /etc/ecs/ecs.config)
  --print-config      print the effective configuration as JSON (credentials redacted) and exit
  --version           print the version and exit
The official agent's spellings -healthcheck, -version and -loglevel LEVEL work too.

${COMMON_FLAGS}

Configuration: built-in defaults < the config file < the process environment. Variables:
${formatConfigVariables()}

Under systemd (Type=notify) the agent reports READY=1 once it is registered and connected to ACS.

${EXIT_CODES}
`;
}

export const EMULATOR_HELP = `Usage: berth emulator [flags]

A local ECS control plane: the ECS JSON 1.1 API on POST /, the ACS and TCS websockets on the same port, and an
SQLite database in the data dir, so a restart loses nothing. Drive it with the aws CLI or any AWS SDK.

Flags:
  --port PORT         port to listen on (default 8800; 0 picks a free port)
  --host HOST         address to bind (default 127.0.0.1; 0.0.0.0 for agents on other hosts)
  --hostname NAME     a DNS name clients may reach it by (repeatable); other names in Host are refused (DNS
                      rebinding protection), IP addresses and localhost always work
  --data-dir DIR      where emulator.db lives (default .berth/emulator)
  --region REGION     region in ARNs and endpoints (default us-east-1)

${VPC_FLAGS}

${ECR_FLAGS}

${COMMON_FLAGS}

Under systemd (Type=notify) it reports READY=1 once it listens.

${EXIT_CODES}
`;

export const UP_HELP = `Usage: berth up [flags]

The emulator, the cluster and an agent for this host in one process: the everyday way to run ECS workloads
locally. Prints the endpoint and a working aws CLI example. Ctrl-C stops both; task containers keep running and
are adopted again on the next start. The agent honours the same variables as 'berth agent' (see its --help).

Flags:
  --port PORT         emulator port (default 8800; 0 picks a free port)
  --data-dir DIR      emulator and agent state (default .berth)
  --cluster NAME      cluster to create and join (default default)
  --region REGION     region (default us-east-1)

${VPC_FLAGS}
With --vpc-cidr the agent is started with ECS_ENABLE_TASK_ENI=true (unless set), so it registers
ecs.capability.task-eni when it can do awsvpc (root, CNI plugins, the pause image: scripts/build-pause-image).

${ECR_FLAGS}

${COMMON_FLAGS}

${EXIT_CODES}
`;

export const LOGS_HELP = `Usage: berth logs <task-arn|task-id> [flags]

Prints a task's log lines, like 'aws logs tail': awslogs containers are read from CloudWatch Logs (the group and
stream their options name, awslogs-stream-prefix expanded as ECS expands it), json-file, local and journald ones
from Docker. A container that logs nowhere (log driver none) or somewhere berth cannot read is named on stderr.
With several containers each line starts with '<container> | '.

Flags:
  --cluster NAME      the task's cluster when a task id is given (default default; an ARN names its own)
  --container NAME    only this container
  -f, --follow        keep printing new lines until the task has stopped
  --endpoint URL      the ECS endpoint (default AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL, else berth up's
                      http://127.0.0.1:8800); CloudWatch Logs is AWS_ENDPOINT_URL_LOGS, else the same URL
  --region REGION     default AWS_REGION, AWS_DEFAULT_REGION, else us-east-1

Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN), else berth up's local ones.
Exit codes: 0 printed, 2 bad command line, 5 no such task or nothing to read.
`;

export const COMMAND_HELP: Record<string, () => string> = {
  logs: () => LOGS_HELP,
  agent: agentHelp,
  emulator: () => EMULATOR_HELP,
  up: () => UP_HELP,
  version: () => 'Usage: berth version\n\nPrints the berth version, the ECS agent version it reports, and the Node.js version.\n',
};
