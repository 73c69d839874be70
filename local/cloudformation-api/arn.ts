/**
 * A stack's ARN is `arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>`. A call naming a stack that does
 * not exist is authorized on the name form `.../stack/<name>/*`, as AWS does (the uuid is unknown); a call naming it
 * by an ARN is authorized on that ARN.
 */
export function stackResourceForName(nameOrId: string, region: string, account: string): string {
  return nameOrId.startsWith('arn:') ? nameOrId : `arn:aws:cloudformation:${region}:${account}:stack/${nameOrId}/*`;
}
