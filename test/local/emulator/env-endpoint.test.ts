import { GetServiceCommand, ProtonClient } from '@aws-sdk/client-proton';
import { ProtonEmulator } from '../../../local/emulator';

const KEYS = ['AWS_ENDPOINT_URL_PROTON', 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE'] as const;

describe('AWS_ENDPOINT_URL_PROTON', () => {
  let emulator: ProtonEmulator;
  const saved: Partial<Record<(typeof KEYS)[number], string>> = {};

  beforeAll(async () => {
    emulator = await ProtonEmulator.start();
    for (const key of KEYS) saved[key] = process.env[key];
  });
  afterAll(async () => {
    for (const key of KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await emulator.stop();
  });

  test('a client with default configuration reaches the emulator', async () => {
    delete process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_PROFILE;
    process.env.AWS_ENDPOINT_URL_PROTON = emulator.endpoint;
    process.env.AWS_ACCESS_KEY_ID = 'x';
    process.env.AWS_SECRET_ACCESS_KEY = 'y';
    emulator.seedService({ name: 'svc', templateName: 'tpl' });
    const client = new ProtonClient({ region: 'us-east-1' });
    try {
      const answer = await client.send(new GetServiceCommand({ name: 'svc' }));
      expect(answer.service?.arn).toBe('arn:aws:proton:us-east-1:123456789012:service/svc');
      expect(emulator.callsTo('GetService')).toHaveLength(1);
    } finally {
      client.destroy();
    }
  });
});
