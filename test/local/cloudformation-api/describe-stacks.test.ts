import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ACCOUNT, clientFor, DELETED_ID, errorOf, rawQuery, STACK_ID, STACKS, useApi } from './helpers';
import { XML_NAMESPACE } from '../../../local/cloudformation-api';

describe('DescribeStacks through @aws-sdk/client-cloudformation', () => {
  const ctx = useApi();
  const describe1 = (StackName: string) => ctx.client.send(new DescribeStacksCommand({ StackName }));

  test('by name: the stack with its status, reason and times', async () => {
    const out = await describe1('app');
    expect(out.Stacks).toEqual([{
      StackId: STACK_ID,
      StackName: 'app',
      CreationTime: new Date('2026-01-01T10:00:00.123Z'),
      LastUpdatedTime: new Date('2026-01-02T11:30:00.456Z'),
      StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS',
      StackStatusReason: 'The following resource(s) failed to update: [Instance]. ',
    }]);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ctx.api.calls).toEqual([{ at: expect.any(Number), action: 'DescribeStacks', stackName: 'app', accessKeyId: 'AKIAHANDLER', status: 200 }]);
  });

  test('by stack id (ARN): the same stack; a deleted stack is found by id with its DeletionTime', async () => {
    expect((await describe1(STACK_ID)).Stacks?.[0].StackStatus).toBe('UPDATE_ROLLBACK_IN_PROGRESS');
    const deleted = (await describe1(DELETED_ID)).Stacks?.[0];
    expect(deleted).toMatchObject({ StackName: 'old', StackStatus: 'DELETE_COMPLETE', DeletionTime: new Date('2025-12-02T00:00:00.000Z') });
    expect(deleted?.LastUpdatedTime).toBeUndefined();
    expect(deleted?.StackStatusReason).toBeUndefined();
  });

  test('an unknown stack (or a deleted one by name): ValidationError "Stack with id X does not exist", 400, not retried', async () => {
    const retrying = clientFor(ctx.api, 'AKIAHANDLER', 3);
    try {
      for (const name of ['nope', 'old', `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/nope/00000000-0000-0000-0000-000000000000`]) {
        const err = await errorOf(retrying.send(new DescribeStacksCommand({ StackName: name })));
        expect(err.name).toBe('ValidationError');
        expect(err.message).toBe(`Stack with id ${name} does not exist`);
        expect(err.$fault).toBe('client');
        expect(err.$metadata?.httpStatusCode).toBe(400);
        expect(err.$metadata?.attempts).toBe(1);
      }
    } finally {
      retrying.destroy();
    }
  });

  test('text is XML-escaped: a reason with markup characters and a CR comes back exactly', async () => {
    const reason = 'Resource <Instance> & "friends" aren\'t ready\r\nsee ]]> too';
    STACKS.push({ stackId: `${STACK_ID}x`, stackName: 'odd&<name>', status: 'UPDATE_FAILED', statusReason: reason, creationTime: new Date(0) });
    try {
      const stack = (await describe1('odd&<name>')).Stacks?.[0];
      expect(stack?.StackStatusReason).toBe(reason);
      expect(stack?.StackName).toBe('odd&<name>');
    } finally {
      STACKS.pop();
    }
  });

  test('the wire format: awsQuery XML in the 2010-05-15 namespace', async () => {
    const answer = await rawQuery(ctx.api.endpoint, 'Action=DescribeStacks&Version=2010-05-15&StackName=old');
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('text/xml');
    const requestId = String(answer.headers['x-amzn-requestid']);
    expect(answer.body).toBe(`<ErrorResponse xmlns="${XML_NAMESPACE}"><Error><Type>Sender</Type><Code>ValidationError</Code>`
      + `<Message>Stack with id old does not exist</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
    const ok = await rawQuery(ctx.api.endpoint, `Action=DescribeStacks&Version=2010-05-15&StackName=${encodeURIComponent(DELETED_ID)}`);
    expect(ok.body).toBe(`<DescribeStacksResponse xmlns="${XML_NAMESPACE}"><DescribeStacksResult><Stacks><member>`
      + `<StackId>${DELETED_ID}</StackId><StackName>old</StackName><CreationTime>2025-12-01T00:00:00.000Z</CreationTime>`
      + '<DeletionTime>2025-12-02T00:00:00.000Z</DeletionTime><StackStatus>DELETE_COMPLETE</StackStatus></member></Stacks></DescribeStacksResult>'
      + `<ResponseMetadata><RequestId>${String(ok.headers['x-amzn-requestid'])}</RequestId></ResponseMetadata></DescribeStacksResponse>`);
  });

  test('protocol errors: unsigned, no Action, another Action or Version, no StackName', async () => {
    const error = (body: string) => /<Code>([^<]+)<\/Code><Message>([^<]*)<\/Message>/.exec(body)?.slice(1);
    const unsigned = await rawQuery(ctx.api.endpoint, 'Action=DescribeStacks&Version=2010-05-15&StackName=app', {});
    expect([unsigned.status, ...error(unsigned.body)!]).toEqual([403, 'MissingAuthenticationToken', 'Request is missing Authentication Token']);
    const noAction = await rawQuery(ctx.api.endpoint, 'Version=2010-05-15');
    expect([noAction.status, ...error(noAction.body)!]).toEqual([400, 'MissingAction', 'The request is missing an action or a required parameter.']);
    const other = await rawQuery(ctx.api.endpoint, 'Action=DeleteStack&Version=2010-05-15&StackName=app');
    expect([other.status, ...error(other.body)!]).toEqual([400, 'InvalidAction', 'The action DeleteStack is not valid for this web service.']);
    const version = await rawQuery(ctx.api.endpoint, 'Action=DescribeStacks&Version=2011-01-01&StackName=app');
    expect(error(version.body)?.[0]).toBe('InvalidAction');
    const all = await rawQuery(ctx.api.endpoint, 'Action=DescribeStacks&Version=2010-05-15');
    expect([all.status, ...error(all.body)!]).toEqual([400, 'ValidationError', expect.stringContaining('DescribeStacks needs StackName')]);
    expect(ctx.api.calls.map((c) => c.error)).toEqual(['MissingAuthenticationToken', 'MissingAction', 'InvalidAction', 'InvalidAction', 'ValidationError']);
  });
});

describe('a describeStack that throws is a loud 500, not a missing stack', () => {
  const ctx = useApi({
    describeStack: () => {
      throw new Error('state not loaded');
    },
  });
  test('InternalFailure naming the bug', async () => {
    const err = await errorOf(ctx.client.send(new DescribeStacksCommand({ StackName: 'app' })));
    expect(err.name).toBe('InternalFailure');
    expect(err.message).toBe('Local CloudFormation API bug: state not loaded');
    expect(err.$metadata?.httpStatusCode).toBe(500);
  });
});
