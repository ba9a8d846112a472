/** Secrets Manager's error shapes, built through its protocol-kit service so the codes are its own. */
import { secretsManager } from './service.js';

export const secretNotFound = (): Error => secretsManager.error('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
export const invalidParameter = (message: string): Error => secretsManager.error('InvalidParameterException', message);
