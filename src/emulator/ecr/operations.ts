/** The ECR operations berth serves: GetAuthorizationToken, the call agents make before pulling from ECR. */
import { ecr } from './service.js';

/** The emulated registry's credentials, one entry per registry ID asked for (its account). */
ecr.operation('GetAuthorizationToken', {
  errors: ['InvalidParameterException'],
  handle(ctx, input) {
    const ids = input.registryIds ?? [];
    const registry = ctx.ecr;
    if (!registry) {
      throw ecr.error('InvalidParameterException', 'This berth emulator has no ECR registry: start it with --ecr-registry HOST:PORT and --ecr-credentials USER:PASSWORD (or BERTH_ECR_REGISTRY / BERTH_ECR_CREDENTIALS).');
    }
    const other = ids.find((id) => id !== registry.accountId);
    if (other !== undefined) {
      throw ecr.error('InvalidParameterException', `Registry ${other} is not emulated here: this emulator's ECR registry is ${registry.accountId} (${registry.registry}).`);
    }
    const entry = registry.authorizationData(ctx.now());
    return { authorizationData: ids.length === 0 ? [entry] : ids.map(() => entry) };
  },
});
