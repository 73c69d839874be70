import { describeCallError, describeInstance, isTransient, OutputsMissing } from './errors';
import { log } from './log';
import * as proton from './proton';
import { InstanceRef, OUTPUT_ATTRIBUTE_PREFIX } from '../src/private/contract';

/**
 * The instance outputs the app asked for, as attributes (`Output.<key>`). Only those keys are fetched into the
 * response: CloudFormation caps it at 4,096 bytes, and output values are sensitive. A requested key the
 * instance does not have fails the deployment, naming the keys it does have (never their values) — except when
 * `lenient` (a rollback, which must complete): then it is answered as an empty string.
 */
export interface RequestedOutputs {
  readonly data?: Record<string, string>;
  /** Ask again at the next poll (throttling, 5xx, network), because of `error`. */
  readonly retry: boolean;
  readonly error?: unknown;
}

export async function requestedOutputs(ref: InstanceRef, keys: string[], lenient = false): Promise<RequestedOutputs> {
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
  if (missing.length > 0 && lenient) {
    log.warn('outputs missing; answered as empty strings', { ...ref, missing });
    return { data: { ...blankOutputs(missing), ...present(keys, outputs) }, retry: false };
  }
  if (missing.length > 0) {
    const available = Object.keys(outputs).sort();
    throw new OutputsMissing(
      `The Proton ${describeInstance(ref)} has no output ${missing.map((k) => JSON.stringify(k)).join(', ')} ` +
        `(asked for with getOutput). Its outputs are: ${available.length ? available.map((k) => JSON.stringify(k)).join(', ') : 'none'}.`,
    );
  }
  log.info('outputs read', { ...ref, keys });
  return { data: present(keys, outputs), retry: false };
}

function present(keys: string[], outputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => k in outputs).map((k) => [`${OUTPUT_ATTRIBUTE_PREFIX}${k}`, outputs[k]]));
}

/** Every asked-for output as an empty string: the attributes still exist, so no GetAtt fails. */
export function blankOutputs(keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [`${OUTPUT_ATTRIBUTE_PREFIX}${k}`, '']));
}
