// STS (AWS query protocol: form-encoded POST, XML answers): AssumeRole and GetCallerIdentity.

import { randomUUID } from 'node:crypto';
import { escapeXml, serviceError } from './errors';
import type { Reply, RequestContext } from './http';
import { roleAccountId } from './iam';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export const STS_ACTIONS: Record<string, string> = {
  AssumeRole: 'sts:AssumeRole',
  // GetCallerIdentity needs no permission in AWS either.
  GetCallerIdentity: '',
};

/** Query-protocol parameters come from the form body (POST) or the query string (GET). */
export function stsParams(ctx: Pick<RequestContext, 'body' | 'query' | 'method'>): URLSearchParams {
  if (ctx.method === 'POST') return new URLSearchParams(ctx.body.toString('utf8'));
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(ctx.query)) for (const x of Array.isArray(v) ? v : [v]) out.append(k, x);
  return out;
}

function xml(action: string, result: string): Reply {
  return {
    body:
      `<${action}Response xmlns="${NS}">\n  <${action}Result>\n${result}  </${action}Result>\n` +
      `  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`,
    contentType: 'text/xml',
  };
}

const validationError = (message: string) => serviceError('sts', 'validation', message);

function required(params: URLSearchParams, name: string, member: string): string {
  const v = params.get(name);
  if (v === null || v === '') {
    throw validationError(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  return v;
}

function assumeRole(ctx: RequestContext, params: URLSearchParams): Reply {
  const roleArn = required(params, 'RoleArn', 'roleArn');
  const sessionName = required(params, 'RoleSessionName', 'roleSessionName');
  if (roleArn.length < 20 || roleArn.length > 2048) {
    throw validationError(`1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048`);
  }
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
    throw validationError(`1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
  }
  const durationRaw = params.get('DurationSeconds');
  const duration = durationRaw === null ? 3600 : Number(durationRaw);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) {
    throw validationError(`1 validation error detected: Value '${durationRaw}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
  }
  const externalId = params.get('ExternalId');
  if (externalId !== null && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) {
    throw validationError(`1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:/-]*`);
  }
  const caller = ctx.principal;
  const denied = () =>
    serviceError('sts', 'accessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  const role = ctx.sim.iam.role(roleArn);
  if (!role || !roleAccountId(roleArn)) throw denied();
  const trusted = role.trustedPrincipals;
  if (trusted && !trusted.includes(caller.accountId) && !trusted.includes(caller.accessKeyId)) throw denied();
  if (role.externalId !== undefined && externalId !== role.externalId) throw denied();
  if (duration > role.maxSessionDurationSeconds) {
    throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
  const session = ctx.sim.iam.createSession(role, sessionName, duration);
  const expiration = new Date(session.expiresAtReal).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return xml(
    'AssumeRole',
    `    <Credentials>\n` +
      `      <AccessKeyId>${session.accessKeyId}</AccessKeyId>\n` +
      `      <SecretAccessKey>${escapeXml(session.secretAccessKey)}</SecretAccessKey>\n` +
      `      <SessionToken>${escapeXml(session.sessionToken)}</SessionToken>\n` +
      `      <Expiration>${expiration}</Expiration>\n` +
      `    </Credentials>\n` +
      `    <AssumedRoleUser>\n` +
      `      <AssumedRoleId>${escapeXml(session.principal.userId)}</AssumedRoleId>\n` +
      `      <Arn>${escapeXml(session.principal.arn)}</Arn>\n` +
      `    </AssumedRoleUser>\n` +
      `    <PackedPolicySize>0</PackedPolicySize>\n`,
  );
}

function getCallerIdentity(ctx: RequestContext): Reply {
  const p = ctx.principal;
  return xml(
    'GetCallerIdentity',
    `    <Arn>${escapeXml(p.arn)}</Arn>\n    <UserId>${escapeXml(p.userId)}</UserId>\n    <Account>${p.accountId}</Account>\n`,
  );
}

export function handleSts(ctx: RequestContext, params: URLSearchParams): Reply {
  switch (ctx.operation) {
    case 'AssumeRole':
      return assumeRole(ctx, params);
    case 'GetCallerIdentity':
      return getCallerIdentity(ctx);
    default:
      throw serviceError('sts', 'unknownOperation', `Could not find operation ${ctx.operation} for version 2011-06-15`);
  }
}
