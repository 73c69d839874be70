import { PolicyDocument } from './types';

/**
 * The AWS managed policies CDK attaches to Lambda execution roles, with their documents as AWS publishes them
 * (AWS Managed Policy Reference; default versions: AWSLambdaBasicExecutionRole v1,
 * AWSLambdaVPCAccessExecutionRole v3 of 2024-01-05). Keyed by the path after `:iam::aws:policy/`.
 * Any other AWS managed policy is refused rather than assumed: add its published document here.
 */
export const AWS_MANAGED_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
  'service-role/AWSLambdaVPCAccessExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSLambdaVPCAccessExecutionPermissions',
        Effect: 'Allow',
        Action: [
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: '*',
      },
    ],
  },
};

/** `arn:<partition>:iam::aws:policy/<path>`: the account `aws` marks a policy AWS owns. */
const AWS_MANAGED_ARN = /^arn:[^:]+:iam::aws:policy\/(.+)$/;

/** The path of an AWS managed policy ARN (`service-role/AWSLambdaBasicExecutionRole`), or undefined for any other ARN. */
export function awsManagedPolicyPath(arn: string): string | undefined {
  return AWS_MANAGED_ARN.exec(arn)?.[1];
}
