import {
  CreateServiceInstanceCommand, ListServiceInstancesCommand, UpdateServiceInstanceCommand, ValidationException,
} from '@aws-sdk/client-proton';
import { errorOf, rawCall, useEmulator } from './helpers';
import { RequestValidator } from '../../../local/emulator';

const SPEC = 'environment: dev\n';

describe('request validation against the botocore model', () => {
  const ctx = useEmulator();
  beforeEach(() => ctx.emulator.seedService({ name: 'svc', templateName: 'tpl', instances: [{ name: 'web', environment: 'dev' }] }));

  const create = (input: Record<string, unknown>) => ctx.client.send(new CreateServiceInstanceCommand({ serviceName: 'svc', name: 'api', spec: SPEC, ...input }));

  test('a name that breaks the pattern names the member and the pattern', async () => {
    const err = await errorOf(create({ name: 'bad name' }));
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(err.message).toContain("Value 'bad name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern");
  });

  test('a name over 100 characters is too long', async () => {
    const err = await errorOf(create({ name: 'a'.repeat(101) }));
    expect(err.message).toContain("at 'name' failed to satisfy constraint: Member must have length less than or equal to 100");
  });

  test('length counts characters, not UTF-16 units', () => {
    const validator = new RequestValidator();
    // 128 emoji are 256 UTF-16 units but 128 characters: within TagKey's max of 128.
    const ok = validator.violations('TagResource', { resourceArn: 'arn:aws:proton:us-east-1:123456789012:service/svc', tags: [{ key: '😀'.repeat(128), value: '' }] });
    expect(ok).toEqual([]);
    const tooLong = validator.violations('TagResource', { resourceArn: 'arn:aws:proton:us-east-1:123456789012:service/svc', tags: [{ key: '😀'.repeat(129), value: '' }] });
    expect(tooLong).toEqual([expect.stringContaining("at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128")]);
  });

  test('a missing required member is reported as null', async () => {
    const err = await errorOf(ctx.client.send(new CreateServiceInstanceCommand({ serviceName: 'svc', name: 'api' } as never)));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain("Value null at 'spec' failed to satisfy constraint: Member must not be null");
  });

  test('an unknown enum value lists the allowed set', async () => {
    const err = await errorOf(ctx.client.send(new UpdateServiceInstanceCommand({ serviceName: 'svc', name: 'web', deploymentType: 'LATEST' as never })));
    expect(err.message).toContain("Value 'LATEST' at 'deploymentType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, CURRENT_VERSION, MINOR_VERSION, MAJOR_VERSION]");
  });

  test('51 tags are too many; a bad tag is named by its position', async () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    const err = await errorOf(create({ tags }));
    expect(err.message).toContain("at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
    const second = await errorOf(create({ tags: [{ key: 'ok', value: '' }, { key: '', value: 'x' }] }));
    expect(second.message).toContain("Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1");
  });

  test('several violations are reported together and the spec value is not echoed', async () => {
    const err = await errorOf(create({ name: '-x', spec: 'x'.repeat(51201), templateMajorVersion: '01' }));
    expect(err.message).toMatch(/^3 validation errors detected: /);
    expect(err.message).toContain("Value at 'spec' failed to satisfy constraint: Member must have length less than or equal to 51200");
    expect(err.message).not.toContain('xxxx');
    expect(err.message).toContain("at 'templateMajorVersion'");
  });

  test('integer bounds apply (maxResults 1..100)', async () => {
    const err = await errorOf(ctx.client.send(new ListServiceInstancesCommand({ maxResults: 101 })));
    expect(err.message).toContain("Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
  });

  test('unknown members and wrong types are rejected (raw request)', async () => {
    const answer = await rawCall(ctx.emulator.endpoint, 'GetServiceInstance', { name: 'web', serviceName: 'svc', extra: 1 });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ __type: 'ValidationException', message: expect.stringContaining("Unknown member 'extra'") });
    const typed = await rawCall(ctx.emulator.endpoint, 'GetServiceInstance', { name: 5, serviceName: 'svc' });
    expect(typed.body.message).toContain("at 'name' failed to satisfy constraint: Member must be a string");
  });

  test('counts validated requests, valid or not', async () => {
    const before = ctx.emulator.validatedCount;
    await errorOf(create({ name: 'bad name' }));
    await create({});
    expect(ctx.emulator.validatedCount).toBe(before + 2);
    expect(ctx.emulator.callsTo('CreateServiceInstance').map((c) => c.status)).toEqual([400, 200]);
  });
});
