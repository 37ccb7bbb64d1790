// AWS-shaped errors. Handlers throw AwsError; the server serialises it the way each protocol does,
// so the SDK builds the same exception class (err.name, $metadata.httpStatusCode) as against AWS.

export type Service = 'iot' | 'iotdata' | 'sts' | 'timestream';

export class AwsError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** Conditions every service has, named and numbered the way that service does it. */
type CommonCondition =
  | 'throttling'
  | 'accessDenied'
  | 'unrecognizedClient'
  | 'invalidSignature'
  | 'expiredToken'
  | 'missingAuth'
  | 'internal'
  | 'unavailable'
  | 'validation'
  | 'unknownOperation'
  | 'tooLarge';

const COMMON: Record<Service, Record<CommonCondition, [string, number]>> = {
  iot: {
    throttling: ['ThrottlingException', 400],
    accessDenied: ['AccessDeniedException', 403],
    unrecognizedClient: ['UnrecognizedClientException', 403],
    invalidSignature: ['InvalidSignatureException', 403],
    expiredToken: ['ExpiredTokenException', 403],
    missingAuth: ['MissingAuthenticationTokenException', 403],
    internal: ['InternalFailureException', 500],
    unavailable: ['ServiceUnavailableException', 503],
    validation: ['InvalidRequestException', 400],
    unknownOperation: ['UnknownOperationException', 404],
    tooLarge: ['InvalidRequestException', 400],
  },
  iotdata: {
    throttling: ['ThrottlingException', 429],
    accessDenied: ['ForbiddenException', 403],
    unrecognizedClient: ['UnrecognizedClientException', 403],
    invalidSignature: ['InvalidSignatureException', 403],
    expiredToken: ['ExpiredTokenException', 403],
    missingAuth: ['MissingAuthenticationTokenException', 403],
    internal: ['InternalFailureException', 500],
    unavailable: ['ServiceUnavailableException', 503],
    validation: ['InvalidRequestException', 400],
    unknownOperation: ['MethodNotAllowedException', 405],
    tooLarge: ['RequestEntityTooLargeException', 413],
  },
  timestream: {
    throttling: ['ThrottlingException', 429],
    accessDenied: ['AccessDeniedException', 403],
    unrecognizedClient: ['UnrecognizedClientException', 403],
    invalidSignature: ['InvalidSignatureException', 403],
    expiredToken: ['ExpiredTokenException', 403],
    missingAuth: ['MissingAuthenticationTokenException', 403],
    internal: ['InternalServerException', 500],
    unavailable: ['InternalServerException', 500],
    validation: ['ValidationException', 400],
    unknownOperation: ['UnknownOperationException', 400],
    tooLarge: ['ValidationException', 400],
  },
  sts: {
    throttling: ['Throttling', 400],
    accessDenied: ['AccessDenied', 403],
    unrecognizedClient: ['InvalidClientTokenId', 403],
    invalidSignature: ['SignatureDoesNotMatch', 403],
    expiredToken: ['ExpiredTokenException', 400],
    missingAuth: ['MissingAuthenticationToken', 403],
    internal: ['InternalFailure', 500],
    unavailable: ['ServiceUnavailable', 503],
    validation: ['ValidationError', 400],
    unknownOperation: ['InvalidAction', 400],
    tooLarge: ['ValidationError', 400],
  },
};

export function serviceError(service: Service, condition: CommonCondition, message: string): AwsError {
  const [code, status] = COMMON[service][condition];
  return new AwsError(code, status, message);
}

// Shorthands for the IoT-specific errors handlers raise most.
export const invalidRequest = (message: string) => new AwsError('InvalidRequestException', 400, message);
export const notFound = (message: string) => new AwsError('ResourceNotFoundException', 404, message);
export const invalidQuery = (message: string) => new AwsError('InvalidQueryException', 400, message);
export const validation = (message: string) => new AwsError('ValidationException', 400, message);

export interface SerializedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const TIMESTREAM_NAMESPACE = 'com.amazonaws.timestream.v20181101';

export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

export function serializeError(service: Service, error: AwsError, requestId: string): SerializedResponse {
  if (service === 'sts') {
    const type = error.status >= 500 ? 'Receiver' : 'Sender';
    return {
      status: error.status,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
      body:
        `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n` +
        `  <Error>\n    <Type>${type}</Type>\n    <Code>${escapeXml(error.code)}</Code>\n` +
        `    <Message>${escapeXml(error.message)}</Message>\n  </Error>\n` +
        `  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
    };
  }
  if (service === 'timestream') {
    return {
      status: error.status,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
      body: JSON.stringify({ __type: `${TIMESTREAM_NAMESPACE}#${error.code}`, Message: error.message, message: error.message }),
    };
  }
  return {
    status: error.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': error.code,
      'x-amzn-requestid': requestId,
    },
    body: JSON.stringify({ message: error.message }),
  };
}
