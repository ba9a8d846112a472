import { ecsOperation } from '../service.js';

/**
 * ACS and TCS live on this same server under /acs and /tcs; the agent appends `ws` to the endpoint
 * (spec §2.3), and http:// makes it dial plain ws://. The Host header keeps the URLs reachable for the caller.
 */
ecsOperation('DiscoverPollEndpoint', {
  input: { containerInstance: { type: 'string' }, cluster: { type: 'string' }, zoneId: { type: 'string' } },
  handle(_ctx, _input, call) {
    const base = `http://${call.host}`;
    return {
      endpoint: `${base}/acs/`,
      telemetryEndpoint: `${base}/tcs/`,
      serviceConnectEndpoint: `${base}/sc/`,
    };
  },
});
