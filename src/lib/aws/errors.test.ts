import { describe, expect, it } from 'vitest';
import { signatureMismatch } from '../../../scripts/test/aws-errors';
import { sanitizeAwsError, scrubSecrets } from './errors';

const SECRETS = ['IQoJb3JpZ2luX2VjEJr', 'e3b0c44298fc1c149afbf4c8996fb924', '5f70bf18a086007016e948b04aed3b82', 'x-amz-date', 'aws4_request', 'Canonical'];

describe('sanitizeAwsError', () => {
  it('keeps the name, the first sentence and the status of a signature mismatch, and nothing of the signing material', () => {
    const safe = sanitizeAwsError(signatureMismatch());
    expect(safe.name).toBe('SignatureDoesNotMatch');
    expect(safe.status).toBe(403);
    expect(safe.message).toMatch(/^The request signature we calculated does not match/);
    for (const secret of SECRETS) expect(safe.message).not.toContain(secret);
  });

  it('removes keys, header values, bearer tokens and secret-looking strings from any message', () => {
    const error = Object.assign(
      new Error(
        'Denied for AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A; Authorization: AWS4-X Credential=AKIAIOSFODNN7EXAMPLE/x, X-Amz-Signature=abcdef0123456789abcdef0123456789abcdef01 X-Amz-Security-Token=FwoGZXIvYXdzEBYaDH secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
      ),
      { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } },
    );
    const safe = sanitizeAwsError(error);
    for (const secret of ['AKIAIOSFODNN7EXAMPLE', 'ASIAY34FZKBOKMUTVV7A', 'abcdef0123456789', 'FwoGZXIvYXdzEBYaDH', 'wJalrXUtnFEMI', 'eyJhbGci']) {
      expect(safe.message).not.toContain(secret);
    }
    expect(safe).toMatchObject({ name: 'AccessDeniedException', status: 403 });
  });

  it('keeps ordinary messages readable and short', () => {
    const error = Object.assign(new Error('Thing warehouse-temperature-sensor-000123 not found'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    expect(sanitizeAwsError(error)).toEqual({ name: 'ResourceNotFoundException', message: 'Thing warehouse-temperature-sensor-000123 not found', status: 404 });
    expect(sanitizeAwsError(Object.assign(new Error('x'.repeat(2000)), { name: 'Weird' })).message.length).toBeLessThanOrEqual(300);
    expect(sanitizeAwsError({ name: 'bad name\nwith lines', message: 'm' }).name).toBe('Error');
    expect(sanitizeAwsError('plain text AKIAIOSFODNN7EXAMPLE')).toEqual({ name: 'Error', message: 'plain text [redacted-key]' });
  });

  it('scrubs free text without touching ARNs and regions', () => {
    expect(scrubSecrets('arn:aws:iam::111122223333:role/FleetlineAccess in eu-west-1')).toBe('arn:aws:iam::111122223333:role/FleetlineAccess in eu-west-1');
  });
});
