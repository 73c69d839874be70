import { handlerLogs, resetMocks } from './mocks';
import { log } from '../../lambda/log';

beforeEach(resetMocks);

describe('log', () => {
  test('one JSON line per event, with its level and message', () => {
    log.warn('something happened', { serviceName: 'frontend', count: 2 });
    expect(handlerLogs()).toEqual([{ level: 'WARN', message: 'something happened', serviceName: 'frontend', count: 2 }]);
  });

  test('sensitive fields are replaced by their length, at any depth', () => {
    log.info('call', {
      spec: 'password: hunter2',
      input: { Spec: 'x', nested: [{ deploymentStatusMessage: 'secret message' }] },
      outputs: { Token: 'hunter2' },
      statusMessage: 'service secret',
      DeploymentStatusMessage: 'abc',
      createdAt: new Date('2026-11-27T10:00:00Z'),
    });
    const [line] = handlerLogs();
    expect(line).toEqual({
      level: 'INFO',
      message: 'call',
      spec: '[redacted: 17 chars]',
      input: { Spec: '[redacted: 1 chars]', nested: [{ deploymentStatusMessage: '[redacted: 14 chars]' }] },
      outputs: '[redacted: 15 chars]',
      statusMessage: '[redacted: 14 chars]',
      DeploymentStatusMessage: '[redacted: 3 chars]',
      createdAt: '2026-11-27T10:00:00.000Z',
    });
    expect(JSON.stringify(line)).not.toMatch(/hunter2|secret/);
  });
});
