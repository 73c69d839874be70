import { Duration, Token } from 'aws-cdk-lib';
import { parseDocument } from 'yaml';
import { MAX_INSTANCE_TIMEOUT, MIN_INSTANCE_TIMEOUT } from './private/runtime';

/**
 * Synth-time checks of every constraint in Proton's API model that a prop can break.
 *
 * Each check names the prop and shows the bad value, so the error points at the line to fix. Values that are
 * unresolved tokens are skipped: they are only known at deploy time, where the service checks them.
 */

/** Proton's ResourceName shape: service and service instance names. */
const RESOURCE_NAME = /^[0-9A-Za-z]+[0-9A-Za-z_-]*$/;
/** Proton's TemplateVersionPart shape. */
const VERSION_PART = /^(0|([1-9]{1}\d*))$/;
/** Proton's ClientToken shape: printable ASCII, no spaces. */
const CLIENT_TOKEN = /^[!-~]*$/;

export const LIMITS = {
  resourceNameMax: 100,
  specMax: 51_200,
  versionPartMax: 20,
  tagsMax: 50,
  tagKeyMax: 128,
  tagValueMax: 256,
  clientTokenMax: 64,
  outputKeyMax: 1024,
  timeoutMin: MIN_INSTANCE_TIMEOUT,
  timeoutMax: MAX_INSTANCE_TIMEOUT,
} as const;

/** A value shortened for an error message, so a 50 KB spec does not flood the terminal. */
export function show(value: string, max = 80): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(shown);
}

function fail(prop: string, message: string): never {
  throw new Error(`ServiceInstance: invalid ${prop}: ${message}`);
}

/** Length in characters as Proton counts them (code points, not UTF-16 units). */
function length(value: string): number {
  return [...value].length;
}

export function validateResourceName(prop: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  const len = length(value);
  if (len < 1 || len > LIMITS.resourceNameMax) {
    fail(prop, `${show(value)} is ${len} characters long; Proton accepts 1 to ${LIMITS.resourceNameMax}`);
  }
  if (!RESOURCE_NAME.test(value)) {
    fail(
      prop,
      `${show(value)} does not match ${RESOURCE_NAME.source}: letters, digits, '_' and '-', starting with a letter or digit`,
    );
  }
}

export function validateTemplateVersion(prop: string, value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const len = length(value);
  if (len < 1 || len > LIMITS.versionPartMax) {
    fail(prop, `${show(value)} is ${len} characters long; Proton accepts 1 to ${LIMITS.versionPartMax}`);
  }
  if (!VERSION_PART.test(value)) {
    fail(prop, `${show(value)} is not a version number: use a whole number without leading zeros, like "1" or "12"`);
  }
}

export function validateMinorNeedsMajor(major: string | undefined, minor: string | undefined): void {
  if (minor !== undefined && major === undefined) {
    fail(
      'templateMinorVersion',
      `${show(minor)} is set without templateMajorVersion; a minor version only has a meaning within a major version`,
    );
  }
}

/**
 * Spec texts already found to be valid YAML. Parsing is the largest per-instance cost at synth, and apps often give
 * several instances (or stages) one spec; the set holds references to strings the template holds anyway.
 */
const VALID_SPECS = new Set<string>();

/** Spec contents: 1 to 51,200 characters of YAML that parses. */
export function validateSpec(value: string): void {
  if (Token.isUnresolved(value)) return;
  // Code points never outnumber UTF-16 units, so only a text longer than the limit in units needs counting.
  if (value.length === 0 || (value.length > LIMITS.specMax && length(value) > LIMITS.specMax)) {
    fail('spec', `the spec is ${length(value)} characters long; Proton accepts 1 to ${LIMITS.specMax}`);
  }
  if (VALID_SPECS.has(value)) return;
  const doc = parseDocument(value);
  if (doc.errors.length > 0) {
    fail('spec', `the spec is not valid YAML: ${doc.errors[0].message}`);
  }
  VALID_SPECS.add(value);
}

export function validateTags(tags: { readonly [key: string]: string } | undefined): void {
  if (tags === undefined) return;
  const entries = Object.entries(tags);
  if (entries.length > LIMITS.tagsMax) {
    fail('tags', `${entries.length} tags given; Proton accepts at most ${LIMITS.tagsMax} on a resource`);
  }
  for (const [key, value] of entries) {
    if (!Token.isUnresolved(key)) {
      const len = length(key);
      if (len < 1 || len > LIMITS.tagKeyMax) {
        fail('tags', `tag key ${show(key)} is ${len} characters long; Proton accepts 1 to ${LIMITS.tagKeyMax}`);
      }
    }
    if (!Token.isUnresolved(value)) {
      if (typeof value !== 'string') {
        fail('tags', `tag ${show(key)} has a value of type ${typeof value}; tag values are strings`);
      }
      const len = length(value);
      if (len > LIMITS.tagValueMax) {
        fail('tags', `the value of tag ${show(key)} is ${len} characters long; Proton accepts at most ${LIMITS.tagValueMax}`);
      }
    }
  }
}

/** Tags, once merged with those added by `Tags.of()`, must still fit Proton's limit. */
export function validateTagCount(count: number): void {
  if (count > LIMITS.tagsMax) {
    fail('tags', `${count} tags after merging Tags.of() with the tags prop; Proton accepts at most ${LIMITS.tagsMax}`);
  }
}

export function validateClientToken(value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const len = length(value);
  if (len > LIMITS.clientTokenMax) {
    fail('clientToken', `${show(value)} is ${len} characters long; Proton accepts at most ${LIMITS.clientTokenMax}`);
  }
  if (!CLIENT_TOKEN.test(value)) {
    fail('clientToken', `${show(value)} has characters outside printable ASCII (spaces included); Proton accepts ${CLIENT_TOKEN.source}`);
  }
}

export function validateTimeout(timeout: Duration): void {
  if (timeout.isUnresolved()) {
    fail('timeout', 'the timeout must be known at synth time: the provider and the custom resource are sized by it');
  }
  const seconds = timeout.toSeconds({ integral: false });
  if (!Number.isInteger(seconds)) {
    fail('timeout', `${timeout.toHumanString()} is not a whole number of seconds`);
  }
  if (seconds < LIMITS.timeoutMin.toSeconds() || seconds > LIMITS.timeoutMax.toSeconds()) {
    fail(
      'timeout',
      `${timeout.toHumanString()} is outside ${LIMITS.timeoutMin.toHumanString()} … ${LIMITS.timeoutMax.toHumanString()}; ` +
        'CloudFormation gives a custom resource at most one hour, and the handler needs a few minutes of it to cancel a deployment',
    );
  }
}

/** An output key becomes part of an attribute name, so it must be known at synth time. */
export function validateOutputKey(key: string): void {
  if (Token.isUnresolved(key)) {
    fail('output key', `${key} is a token; the key names a CloudFormation attribute, so it must be known at synth time`);
  }
  const len = length(key);
  if (len < 1 || len > LIMITS.outputKeyMax) {
    fail('output key', `${show(key)} is ${len} characters long; Proton output keys are 1 to ${LIMITS.outputKeyMax}`);
  }
}
