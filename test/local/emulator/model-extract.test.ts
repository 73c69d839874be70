import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import * as sdk from '@aws-sdk/client-proton';
import { ERROR_HTTP_STATUS, loadModel, MODEL_FILE } from '../../../local/emulator';

const SCRIPT = join(__dirname, '..', '..', '..', 'local', 'emulator', 'model', 'extract_model.py');
const REGENERATE = 'Regenerate it with: python3 local/emulator/model/extract_model.py';

describe('extracted Proton model', () => {
  test('the committed proton-model.json matches what botocore produces', () => {
    const run = spawnSync('python3', [SCRIPT, '--stdout'], { encoding: 'utf-8' });
    if (run.error) {
      throw new Error(`python3 could not be run (${run.error.message}): install python3 and botocore (pip install botocore) to check the model. ${REGENERATE}`);
    }
    if (run.status !== 0) {
      throw new Error(`extract_model.py failed (exit ${run.status}): ${run.stderr.trim()}. Is botocore installed? ${REGENERATE}`);
    }
    const committed = readFileSync(MODEL_FILE, 'utf-8');
    if (run.stdout !== committed) {
      throw new Error(`local/emulator/model/proton-model.json is stale (botocore ${loadModel().source.version} committed). ${REGENERATE}`);
    }
  });

  test('carries the protocol metadata and every served operation', () => {
    const model = loadModel();
    expect(model.metadata).toMatchObject({ apiVersion: '2020-07-20', targetPrefix: 'AwsProton20200720', jsonVersion: '1.0', protocol: 'json' });
    expect(Object.keys(model.operations)).toHaveLength(13);
    expect(model.operations.CreateServiceInstance).toMatchObject({ input: 'CreateServiceInstanceInput', idempotent: true });
    expect(model.shapes.CreateServiceInstanceInput.idempotencyTokens).toEqual(['clientToken']);
    expect(JSON.stringify(model)).not.toContain('documentation');
  });

  test('every pattern compiles as a JS regex with the u flag and keeps its Java meaning', () => {
    const shapes = loadModel().shapes;
    const patterns = Object.values(shapes).filter((s) => s.pattern !== undefined);
    expect(patterns.length).toBeGreaterThanOrEqual(5);
    for (const shape of patterns) expect(() => new RegExp(shape.pattern!, 'u')).not.toThrow();

    const re = (name: string) => new RegExp(shapes[name].pattern!, 'u');
    expect(re('ResourceName').test('my-svc_1')).toBe(true);
    expect(re('ResourceName').test('-svc')).toBe(false);
    expect(re('ResourceName').test('a b')).toBe(false);
    expect(re('TemplateVersionPart').test('0')).toBe(true);
    expect(re('TemplateVersionPart').test('12')).toBe(true);
    expect(re('TemplateVersionPart').test('01')).toBe(false);
    expect(re('ClientToken').test('abc-123_!~')).toBe(true);
    expect(re('ClientToken').test('with space')).toBe(false);
    expect(re('Arn').test('arn:aws:proton:us-east-1:123456789012:service/svc/service-instance/web')).toBe(true);
    expect(re('Arn').test('arn:aws:proton:us-east-1:1234:service/svc')).toBe(false);
  });

  test('the HTTP status of each error equals the @httpError the SDK was generated with', () => {
    // botocore has no httpStatusCode for these shapes; the Smithy model (embedded in the SDK schemas) does.
    const schemas = sdk as unknown as Record<string, unknown[]>;
    for (const [name, status] of Object.entries(ERROR_HTTP_STATUS)) {
      const traits = schemas[`${name}$`][3] as Record<string, unknown>;
      expect({ name, status: traits.httpError }).toEqual({ name, status });
    }
    expect(Object.keys(ERROR_HTTP_STATUS).sort()).toEqual(Object.keys(loadModel().errors).sort());
  });
});
