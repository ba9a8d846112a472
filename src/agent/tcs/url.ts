/** The TCS websocket URL (spec §2.4, tcs-handshake-01.txt): telemetryEndpoint + "/ws?" + sorted query. */
import { goValuesEncode } from '../acs/url.js';

export interface TcsUrlInput {
  telemetryEndpoint: string;
  cluster: string;
  containerInstanceArn: string;
  agentVersion: string;
  agentHash: string;
  /** The bare daemon version (no "DockerVersion: " prefix, unlike ACS); omitted when unknown. */
  dockerVersion: string | undefined;
}

export function buildTcsUrl(input: TcsUrlInput): string {
  const base = new URL(input.telemetryEndpoint);
  if (base.protocol === 'http:') base.protocol = 'ws:';
  else if (base.protocol === 'https:') base.protocol = 'wss:';
  else throw new Error(`unsupported TCS endpoint scheme ${base.protocol}`);
  let prefix = base.toString();
  if (!prefix.endsWith('/')) prefix += '/';
  const query: Record<string, string> = {
    agentHash: input.agentHash,
    agentVersion: input.agentVersion,
    cluster: input.cluster,
    containerInstance: input.containerInstanceArn,
  };
  if (input.dockerVersion !== undefined) query['dockerVersion'] = input.dockerVersion;
  return `${prefix}ws?${goValuesEncode(query)}`;
}
