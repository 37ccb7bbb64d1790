/**
 * AWS regions with AWS IoT Core control-plane and data endpoints (AWS General Reference,
 * "AWS IoT Core endpoints and quotas"). Browser-safe: the wizard's region select reads it.
 */
export const IOT_REGIONS = [
  { code: 'us-east-1', label: 'US East (N. Virginia)' },
  { code: 'us-east-2', label: 'US East (Ohio)' },
  { code: 'us-west-1', label: 'US West (N. California)' },
  { code: 'us-west-2', label: 'US West (Oregon)' },
  { code: 'ca-central-1', label: 'Canada (Central)' },
  { code: 'sa-east-1', label: 'South America (São Paulo)' },
  { code: 'eu-west-1', label: 'Europe (Ireland)' },
  { code: 'eu-west-2', label: 'Europe (London)' },
  { code: 'eu-west-3', label: 'Europe (Paris)' },
  { code: 'eu-central-1', label: 'Europe (Frankfurt)' },
  { code: 'eu-north-1', label: 'Europe (Stockholm)' },
  { code: 'me-south-1', label: 'Middle East (Bahrain)' },
  { code: 'me-central-1', label: 'Middle East (UAE)' },
  { code: 'ap-east-1', label: 'Asia Pacific (Hong Kong)' },
  { code: 'ap-south-1', label: 'Asia Pacific (Mumbai)' },
  { code: 'ap-northeast-1', label: 'Asia Pacific (Tokyo)' },
  { code: 'ap-northeast-2', label: 'Asia Pacific (Seoul)' },
  { code: 'ap-southeast-1', label: 'Asia Pacific (Singapore)' },
  { code: 'ap-southeast-2', label: 'Asia Pacific (Sydney)' },
  { code: 'cn-north-1', label: 'China (Beijing)' },
  { code: 'cn-northwest-1', label: 'China (Ningxia)' },
  { code: 'us-gov-west-1', label: 'AWS GovCloud (US-West)' },
  { code: 'us-gov-east-1', label: 'AWS GovCloud (US-East)' },
] as const;

export type IotRegion = (typeof IOT_REGIONS)[number]['code'];

export const IOT_REGION_CODES = IOT_REGIONS.map((r) => r.code) as [IotRegion, ...IotRegion[]];

export function regionLabel(code: string): string {
  return IOT_REGIONS.find((r) => r.code === code)?.label ?? code;
}
