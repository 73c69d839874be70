export { stackResourceForName } from './arn';
export { CloudFormationError, INJECTABLE_ERRORS } from './errors';
export type { ErrorType, InjectableErrorCode } from './errors';
export { API_VERSION, XML_NAMESPACE } from './responses';
export { CloudFormationApi } from './server';
export type { RecordedQueryCall } from './server';
export type { CloudFormationApiOptions, StackDescription } from './types';
export { escapeXml } from './xml';
