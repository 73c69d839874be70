import { CloudFormationError } from './errors';
import { StackDescription } from './types';
import { element, textElement } from './xml';

/** The namespace every CloudFormation 2010-05-15 answer declares. */
export const XML_NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
export const API_VERSION = '2010-05-15';

/** CloudFormation's timestamps: ISO 8601 in UTC with milliseconds (`2026-01-01T12:00:00.123Z`). */
const timestamp = (date: Date) => date.toISOString();

/** One `Stacks` member: only what the StackDescription knows, in CloudFormation's order; nothing is made up. */
function stackMember(stack: StackDescription): string {
  return element(
    'member',
    textElement('StackId', stack.stackId),
    textElement('StackName', stack.stackName),
    textElement('CreationTime', timestamp(stack.creationTime)),
    stack.deletionTime ? textElement('DeletionTime', timestamp(stack.deletionTime)) : '',
    stack.lastUpdatedTime ? textElement('LastUpdatedTime', timestamp(stack.lastUpdatedTime)) : '',
    textElement('StackStatus', stack.status),
    stack.statusReason !== undefined ? textElement('StackStatusReason', stack.statusReason) : '',
  );
}

export function describeStacksResponse(stack: StackDescription, requestId: string): string {
  return `<DescribeStacksResponse xmlns="${XML_NAMESPACE}">`
    + element('DescribeStacksResult', element('Stacks', stackMember(stack)))
    + element('ResponseMetadata', textElement('RequestId', requestId))
    + '</DescribeStacksResponse>';
}

export function errorResponse(error: CloudFormationError, requestId: string): string {
  return `<ErrorResponse xmlns="${XML_NAMESPACE}">`
    + element('Error', textElement('Type', error.type), textElement('Code', error.code), textElement('Message', error.message))
    + textElement('RequestId', requestId)
    + '</ErrorResponse>';
}
