/** The ACS websocket URL (spec §2.3, handshake transcript): endpoint + "/ws?" + Go url.Values.Encode(query). */

/** Go's url.QueryEscape: everything but A-Za-z0-9-_.~ is %-encoded, and a space becomes '+'. */
export function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go's url.Values.Encode: keys sorted, each pair escaped. */
export function goValuesEncode(values: Record<string, string>): string {
  return Object.keys(values)
    .sort()
    .map((k) => `${goQueryEscape(k)}=${goQueryEscape(values[k]!)}`)
    .join('&');
}

export interface AcsUrlInput {
  endpoint: string;
  cluster: string;
  containerInstanceArn: string;
  agentVersion: string;
  agentHash: string;
  /** The daemon's version, e.g. "20.10.24+dfsg1"; the param is omitted when unknown. */
  dockerVersion: string | undefined;
  sendCredentials: boolean;
}

export function buildAcsUrl(input: AcsUrlInput): string {
  const base = new URL(input.endpoint);
  if (base.protocol === 'http:') base.protocol = 'ws:';
  else if (base.protocol === 'https:') base.protocol = 'wss:';
  else throw new Error(`unsupported ACS endpoint scheme ${base.protocol}`);
  let prefix = base.toString();
  if (!prefix.endsWith('/')) prefix += '/';
  const query: Record<string, string> = {
    agentHash: input.agentHash,
    agentVersion: input.agentVersion,
    clusterArn: input.cluster,
    containerInstanceArn: input.containerInstanceArn,
    protocolVersion: '2',
    sendCredentials: String(input.sendCredentials),
    seqNum: '1',
  };
  if (input.dockerVersion !== undefined) query['dockerVersion'] = `DockerVersion: ${input.dockerVersion}`;
  return `${prefix}ws?${goValuesEncode(query)}`;
}
