import { describeCallError, describeInstance, isTransient, ProtonDeploymentError } from './errors';
import { log } from './log';
import * as proton from './proton';
import { InstanceRef, OUTPUT_ATTRIBUTE_PREFIX } from '../src/private/contract';

/**
 * The instance outputs the app asked for, as attributes (`Output.<key>`). Only those keys are fetched into the
 * response: CloudFormation caps it at 4,096 bytes, and output values are sensitive. A requested key the
 * instance does not have fails the deployment, naming the keys it does have (never their values).
 */
export interface RequestedOutputs {
  readonly data?: Record<string, string>;
  /** Ask again at the next poll (throttling, 5xx, network), because of `error`. */
  readonly retry: boolean;
  readonly error?: unknown;
}

export async function requestedOutputs(ref: InstanceRef, keys: string[]): Promise<RequestedOutputs> {
  if (keys.length === 0) return { data: {}, retry: false };
  let outputs: Record<string, string>;
  try {
    outputs = await proton.listServiceInstanceOutputs(ref.serviceName, ref.serviceInstanceName);
  } catch (e) {
    if (isTransient(e)) {
      log.warn('ListServiceInstanceOutputs failed, will ask again at the next poll', { ...ref, error: (e as Error).name });
      return { retry: true, error: e };
    }
    throw describeCallError(e, { operation: 'ListServiceInstanceOutputs', subject: describeInstance(ref) });
  }
  const missing = keys.filter((k) => !(k in outputs));
  if (missing.length > 0) {
    const available = Object.keys(outputs).sort();
    throw new ProtonDeploymentError(
      `The Proton ${describeInstance(ref)} has no output ${missing.map((k) => JSON.stringify(k)).join(', ')} ` +
        `(asked for with getOutput). Its outputs are: ${available.length ? available.map((k) => JSON.stringify(k)).join(', ') : 'none'}.`,
    );
  }
  log.info('outputs read', { ...ref, keys });
  return { data: Object.fromEntries(keys.map((k) => [`${OUTPUT_ATTRIBUTE_PREFIX}${k}`, outputs[k]])), retry: false };
}
