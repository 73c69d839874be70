import {
  AccessDeniedException, ConflictException, GetServiceCommand, GetServiceInstanceCommand, InternalServerException, ProtonClient,
  ResourceNotFoundException, ServiceQuotaExceededException, ThrottlingException, ValidationException,
} from '@aws-sdk/client-proton';
import { clientFor, errorOf, rawCall, useEmulator } from './helpers';
import { ERROR_HTTP_STATUS, ModelledErrorName } from '../../../local/emulator';

const CLASSES: Record<ModelledErrorName, new (...args: never[]) => Error> = {
  ValidationException,
  AccessDeniedException,
  ResourceNotFoundException,
  ConflictException,
  ServiceQuotaExceededException,
  ThrottlingException,
  InternalServerException,
};

describe('fault injection and error mapping', () => {
  const ctx = useEmulator();
  beforeEach(() => ctx.emulator.seedService({ name: 'svc', templateName: 'tpl', instances: [{ name: 'web', environment: 'dev' }] }));
  const get = (client: ProtonClient = ctx.client) => client.send(new GetServiceInstanceCommand({ serviceName: 'svc', name: 'web' }));

  test.each(Object.keys(CLASSES) as ModelledErrorName[])('%s reaches the SDK as its own class with its HTTP status', async (error) => {
    ctx.emulator.faults.failCall('GetServiceInstance', { error, message: `boom ${error}` });
    const err = await errorOf(get());
    expect(err).toBeInstanceOf(CLASSES[error]);
    expect(err.name).toBe(error);
    expect(err.message).toBe(`boom ${error}`);
    expect(err.$metadata?.httpStatusCode).toBe(ERROR_HTTP_STATUS[error]);
  });

  test('the wire format carries __type, message and x-amzn-errortype', async () => {
    ctx.emulator.faults.failCall('GetServiceInstance', { error: 'ConflictException' });
    const answer = await rawCall(ctx.emulator.endpoint, 'GetServiceInstance', { serviceName: 'svc', name: 'web' });
    expect(answer.status).toBe(409);
    expect(answer.headers['x-amzn-errortype']).toBe('ConflictException');
    expect(answer.body).toEqual({ __type: 'ConflictException', message: 'Injected ConflictException for GetServiceInstance' });
  });

  test('nth fails only that call; next k fails k calls', async () => {
    ctx.emulator.faults.failCall('GetServiceInstance', { nth: 2, error: 'InternalServerException' });
    await get();
    expect((await errorOf(get())).name).toBe('InternalServerException');
    await get();
    ctx.emulator.faults.failCall('GetServiceInstance', { next: 2, error: 'AccessDeniedException' });
    expect((await errorOf(get())).name).toBe('AccessDeniedException');
    expect((await errorOf(get())).name).toBe('AccessDeniedException');
    await get();
    expect(ctx.emulator.callsTo('GetServiceInstance').map((c) => c.status)).toEqual([200, 500, 200, 403, 403, 200]);
  });

  test('faults come before validation: an invalid call still gets the injected error', async () => {
    ctx.emulator.faults.failCall('GetServiceInstance', { error: 'ThrottlingException' });
    const before = ctx.emulator.validatedCount;
    const err = await errorOf(ctx.client.send(new GetServiceInstanceCommand({ serviceName: 'svc', name: 'bad name' })));
    expect(err.name).toBe('ThrottlingException');
    expect(ctx.emulator.validatedCount).toBe(before);
  });

  test('the SDK standard retry strategy retries throttling and 5xx, not 4xx', async () => {
    const retrying = clientFor(ctx.emulator, 3);
    try {
      ctx.emulator.faults.failCall('GetServiceInstance', { next: 1, error: 'ThrottlingException' });
      ctx.emulator.faults.failCall('GetServiceInstance', { nth: 2, error: 'InternalServerException' });
      const ok = await get(retrying);
      expect(ok.serviceInstance?.name).toBe('web');
      expect(ok.$metadata.attempts).toBe(3);
      expect(ctx.emulator.callsTo('GetServiceInstance').map((c) => c.error ?? c.status)).toEqual(['ThrottlingException', 'InternalServerException', 200]);

      ctx.emulator.recorder.reset();
      ctx.emulator.faults.failCall('GetServiceInstance', { error: 'ConflictException' });
      await errorOf(get(retrying));
      expect(ctx.emulator.callsTo('GetServiceInstance')).toHaveLength(1);
    } finally {
      retrying.destroy();
    }
  });

  test('a dropped connection surfaces as a network error, and is retried', async () => {
    ctx.emulator.faults.dropConnection('GetServiceInstance');
    const err = await errorOf(get());
    expect(err.name).not.toMatch(/Exception$/);
    expect(err.$metadata?.httpStatusCode).toBeUndefined();
    expect(ctx.emulator.calls.at(-1)).toMatchObject({ operation: 'GetServiceInstance', status: 0, error: 'ConnectionDropped' });

    const retrying = clientFor(ctx.emulator, 2);
    try {
      ctx.emulator.faults.dropConnection('*', { next: 1 });
      expect((await get(retrying)).$metadata.attempts).toBe(2);
    } finally {
      retrying.destroy();
    }
  });

  test('unavailable mode answers AccessDenied to everything, even unknown operations', async () => {
    ctx.emulator.faults.unavailable(true);
    const err = await errorOf(ctx.client.send(new GetServiceCommand({ name: 'svc' })));
    expect(err).toBeInstanceOf(AccessDeniedException);
    expect(err.message).toContain('end of support');
    expect((await rawCall(ctx.emulator.endpoint, 'DeleteEnvironment', {})).body.__type).toBe('AccessDeniedException');
    ctx.emulator.faults.unavailable(false);
    expect((await ctx.client.send(new GetServiceCommand({ name: 'svc' }))).service?.status).toBe('ACTIVE');
  });

  test('the token bucket lets a burst through, then throttles until it refills', async () => {
    // 5 per second: one token per 200 ms, slow enough that the burst of 5 cannot earn a fourth token.
    ctx.emulator.faults.throttle({ requestsPerSecond: 5, burst: 3 });
    const results = await Promise.all(Array.from({ length: 5 }, () => get().then(() => 'ok', (e: Error) => e.name)));
    expect(results.filter((r) => r === 'ok')).toHaveLength(3);
    expect(results.filter((r) => r === 'ThrottlingException')).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 250));
    await expect(get()).resolves.toBeDefined();
    ctx.emulator.faults.throttle(undefined);
  });

  test('delay slows one operation only', async () => {
    ctx.emulator.faults.delay('GetServiceInstance', 150);
    const started = Date.now();
    await get();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const quick = Date.now();
    await ctx.client.send(new GetServiceCommand({ name: 'svc' }));
    expect(Date.now() - quick).toBeLessThan(140);
  });

  test('protocol errors: missing Authorization, unknown operation, wrong content type', async () => {
    const noAuth = await rawCall(ctx.emulator.endpoint, 'GetService', { name: 'svc' }, { authorization: '' });
    expect(noAuth).toMatchObject({ status: 403, body: { __type: 'MissingAuthenticationTokenException' } });
    const unknown = await rawCall(ctx.emulator.endpoint, 'DeleteEnvironment', {});
    expect(unknown).toMatchObject({ status: 400, body: { __type: 'UnknownOperationException' } });
    const wrongType = await rawCall(ctx.emulator.endpoint, 'GetService', { name: 'svc' }, { 'content-type': 'application/json' });
    expect(wrongType).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
  });

  test('the recorder keeps time, operation, input, status and error of every call', async () => {
    const before = Date.now();
    await get();
    await errorOf(ctx.client.send(new GetServiceCommand({ name: 'nope' })));
    expect(ctx.emulator.calls).toEqual([
      { at: expect.any(Number), operation: 'GetServiceInstance', input: { serviceName: 'svc', name: 'web' }, status: 200 },
      { at: expect.any(Number), operation: 'GetService', input: { name: 'nope' }, status: 404, error: 'ResourceNotFoundException' },
    ]);
    expect(ctx.emulator.calls[0].at).toBeGreaterThanOrEqual(before);
    expect(ctx.emulator.callsTo('GetService')).toHaveLength(1);
  });
});

describe('an endpoint with no route to it', () => {
  const ctx = useEmulator();
  beforeEach(() => ctx.emulator.seedService({ name: 'svc', templateName: 'tpl', instances: [{ name: 'web', environment: 'dev' }] }));
  const get = () => ctx.client.send(new GetServiceInstanceCommand({ serviceName: 'svc', name: 'web' }));

  const summary = (err: Error) => `${err.name} ${err.message} ${(err as { code?: string }).code}`;

  test('unreachable, the port refuses connections and drops the kept-alive one; reachable again, the same URL answers', async () => {
    await get();
    await ctx.emulator.setReachable(false);
    // The client may not have seen its kept-alive connection close yet: that call ends in a hang-up at worst.
    expect(summary(await errorOf(get()))).toMatch(/ECONNREFUSED|socket hang up/);
    expect(summary(await errorOf(get()))).toMatch(/ECONNREFUSED/);
    await ctx.emulator.setReachable(true);
    await expect(get()).resolves.toMatchObject({ serviceInstance: { name: 'web' } });
  });

  test('switches made back to back, unawaited, end in the state asked for last', async () => {
    void ctx.emulator.setReachable(false);
    void ctx.emulator.setReachable(true);
    await ctx.emulator.setReachable(false);
    expect(summary(await errorOf(get()))).toMatch(/ECONNREFUSED|socket hang up/);
    void ctx.emulator.setReachable(true);
    void ctx.emulator.setReachable(false);
    await ctx.emulator.setReachable(true);
    await expect(get()).resolves.toMatchObject({ serviceInstance: { name: 'web' } });
  });

  test('setting the same reachability twice is harmless, and so is stopping while unreachable', async () => {
    await ctx.emulator.setReachable(false);
    await ctx.emulator.setReachable(false);
    await ctx.emulator.setReachable(true);
    await ctx.emulator.setReachable(true);
    await expect(get()).resolves.toBeDefined();
    await ctx.emulator.setReachable(false);
  });
});
