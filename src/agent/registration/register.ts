/**
 * RegisterContainerInstance with the official response handling (spec §1.5):
 *   every attribute sent must come back unchanged      -> AttributeError (terminal, exit 5)
 *   "Cluster not found." with the defaulted cluster     -> CreateCluster, then retry
 *   InvalidParameterException / instance type changes   -> RegistrationError, terminal
 *   anything else                                        -> transient: retried with backoff by the caller
 */
import {
  CreateClusterCommand,
  RegisterContainerInstanceCommand,
  type Attribute,
  type ECSClient,
  type RegisterContainerInstanceCommandInput,
  type Resource,
} from '@aws-sdk/client-ecs';
import { BerthError, errorMessage } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { awsErrorName } from '../api/ecs-api.js';

export interface RegistrationInput {
  client: ECSClient;
  cluster: string;
  clusterConfigured: boolean;
  containerInstanceArn: string | undefined;
  attributes: Attribute[];
  resources: Resource[];
  tags: Record<string, string>;
  log: Logger;
}

export interface Registration {
  containerInstanceArn: string;
  availabilityZone: string | undefined;
}

export function registrationRequest(input: Omit<RegistrationInput, 'client' | 'log' | 'clusterConfigured'>): RegisterContainerInstanceCommandInput {
  const tags = Object.entries(input.tags).map(([key, value]) => ({ key, value }));
  return {
    attributes: input.attributes,
    cluster: input.cluster,
    ...(input.containerInstanceArn ? { containerInstanceArn: input.containerInstanceArn } : {}),
    instanceIdentityDocument: '',
    instanceIdentityDocumentSignature: '',
    totalResources: input.resources,
    ...(tags.length > 0 ? { tags } : {}),
  };
}

function checkAttributesEchoed(sent: Attribute[], got: Attribute[]): void {
  for (const a of sent) {
    const back = got.find((g) => g.name === a.name);
    if (!back || (back.value ?? '') !== (a.value ?? '')) {
      throw new BerthError('AttributeError', `attribute ${a.name}${a.value ? `=${a.value}` : ''} was not registered as sent`);
    }
  }
}

/** One registration attempt (plus CreateCluster when allowed). Throws BerthError; `retriable` tells transient from terminal. */
export async function registerContainerInstance(input: RegistrationInput): Promise<Registration> {
  let createdCluster = false;
  for (;;) {
    try {
      const out = await input.client.send(new RegisterContainerInstanceCommand(registrationRequest(input)));
      const ci = out.containerInstance;
      if (!ci?.containerInstanceArn) throw new BerthError('RegistrationError', 'response has no containerInstanceArn');
      const attrs = ci.attributes ?? [];
      checkAttributesEchoed(input.attributes, attrs);
      return {
        containerInstanceArn: ci.containerInstanceArn,
        availabilityZone: attrs.find((a) => a.name === 'ecs.availability-zone')?.value,
      };
    } catch (err) {
      if (err instanceof BerthError) throw err;
      const name = awsErrorName(err);
      const msg = errorMessage(err);
      if (msg.includes('Cluster not found') && !input.clusterConfigured && !createdCluster) {
        input.log.info({ cluster: input.cluster }, 'cluster not found; creating it');
        await input.client.send(new CreateClusterCommand({ clusterName: input.cluster }));
        createdCluster = true;
        continue;
      }
      if (name === 'InvalidParameterException' || msg.includes('Container instance type changes are not supported')) {
        throw new BerthError('RegistrationError', `${name}: ${msg}`, { cause: err, retriable: false });
      }
      throw new BerthError('RegistrationError', `${name ?? 'Error'}: ${msg}`, { cause: err, retriable: true });
    }
  }
}
