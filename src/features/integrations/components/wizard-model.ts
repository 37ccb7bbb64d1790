import type { PreflightReport } from '../capabilities';
import { SYNC_BUDGET, SYNC_INTERVAL } from '../schemas';

/** The wizard's state and the request payloads built from it (browser side). */
export interface WizardValues {
  authType: 'assume_role' | 'access_keys';
  name: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  roleArn: string;
  customEndpoint: string;
  timestreamDatabase: string;
  timestreamTable: string;
  syncIntervalSeconds: number;
  syncBudget: number;
}

export type TestReport = PreflightReport & { credentialsHint: string | null };

export type FieldErrors = Partial<Record<string, string[]>>;

export const WIZARD_STEPS = ['Connection', 'Details', 'Test connection', 'Schedule', 'Review and save'] as const;

export function initialValues(authType: WizardValues['authType']): WizardValues {
  return {
    authType,
    name: '',
    region: 'us-east-1',
    accessKeyId: '',
    secretAccessKey: '',
    roleArn: '',
    customEndpoint: '',
    timestreamDatabase: '',
    timestreamTable: '',
    syncIntervalSeconds: SYNC_INTERVAL.default,
    syncBudget: SYNC_BUDGET.default,
  };
}

/** Fields whose change makes an earlier connection test stale. */
export const CONNECTION_FIELDS: readonly (keyof WizardValues)[] = [
  'authType',
  'region',
  'accessKeyId',
  'secretAccessKey',
  'roleArn',
  'customEndpoint',
  'timestreamDatabase',
  'timestreamTable',
];

/** Only the chosen method's fields travel: a role never sends keys typed earlier. */
export function connectionPayload(v: WizardValues) {
  const common = {
    region: v.region,
    customEndpoint: v.customEndpoint,
    timestreamDatabase: v.timestreamDatabase,
    timestreamTable: v.timestreamTable,
  };
  return v.authType === 'access_keys'
    ? { ...common, authType: v.authType, accessKeyId: v.accessKeyId, secretAccessKey: v.secretAccessKey }
    : { ...common, authType: v.authType, roleArn: v.roleArn };
}

export function detailsPayload(v: WizardValues) {
  return { ...connectionPayload(v), name: v.name };
}
