/** AWS error fixtures for the sanitizer's tests (unit and integration). */

/** What AWS answers to a wrong secret: the message carries the canonical request and the string-to-sign. */
export function signatureMismatch(): Error {
  const message = [
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    '',
    "The Canonical String for this request should have been\n'GET\n/things\n\nhost:iot.us-east-1.amazonaws.com\nx-amz-date:20261207T120000Z\nx-amz-security-token:IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexampleTokenValue1234567890\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'",
    '',
    "The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20261207T120000Z\n20261207/us-east-1/iot/aws4_request\n5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef'",
  ].join('\n');
  return Object.assign(new Error(message), { name: 'SignatureDoesNotMatch', $fault: 'client', $metadata: { httpStatusCode: 403 } });
}

/** Pieces of the fixture above that must never reach a user, a stored run or a log. */
export const SIGNING_SECRETS = ['IQoJb3JpZ2luX2VjEJr', 'e3b0c44298fc1c149afbf4c8996fb924', '5f70bf18a086007016e948b04aed3b82', 'aws4_request', 'Canonical'];
