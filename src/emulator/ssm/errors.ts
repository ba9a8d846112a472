/** Parameter Store's error shapes, built through its protocol-kit service so the codes are its own. */
import { ssm } from './service.js';

export const validation = (message: string): Error => ssm.error('ValidationException', message);
export const parameterNotFound = (name: string): Error => ssm.error('ParameterNotFound', `Parameter ${name} not found.`);
