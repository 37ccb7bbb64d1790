/**
 * The answer of DescribeEndpoint(iot:Data-ATS) is only trusted when it has the shape AWS gives it
 * for the integration's own region: `<account prefix>-ats.iot.<region>.amazonaws.com`
 * (`.amazonaws.com.cn` in the China regions). Anything else is refused before it is stored or used.
 */
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

export function isIotDataEndpoint(address: string, region: string): boolean {
  if (!REGION.test(region)) return false;
  const domain = region.startsWith('cn-') ? 'amazonaws\\.com\\.cn' : 'amazonaws\\.com';
  return new RegExp(`^[a-z0-9]{1,63}-ats\\.iot\\.${region.replace(/-/g, '\\-')}\\.${domain}$`).test(address);
}
