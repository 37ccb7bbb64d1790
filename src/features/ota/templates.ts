import { z } from 'zod';

/**
 * Job document templates (browser-safe). The firmware template writes the fields a device agent
 * needs to fetch and verify an image; `firmwareVersion` is also what devices report back.
 */
export const firmwareTemplateSchema = z.object({
  firmwareVersion: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/, 'Use a version such as 2.1.0 (letters, digits and . _ + -, at most 64).'),
  firmwareUrl: z
    .string()
    .trim()
    .max(1024, 'At most 1,024 characters.')
    .refine((v) => {
      try {
        return new URL(v).protocol === 'https:';
      } catch {
        return false;
      }
    }, 'An https:// URL the devices can download the image from.'),
  sha256: z
    .string()
    .trim()
    .regex(/^([a-fA-F0-9]{64})?$/, 'A SHA-256 digest is 64 hexadecimal characters (or leave it empty).'),
});
export type FirmwareTemplateInput = z.infer<typeof firmwareTemplateSchema>;

export function firmwareDocument(input: FirmwareTemplateInput): string {
  const doc: Record<string, string> = {
    operation: 'firmware-update',
    firmwareVersion: input.firmwareVersion.trim(),
    firmwareUrl: input.firmwareUrl.trim(),
  };
  if (input.sha256.trim()) doc.sha256 = input.sha256.trim().toLowerCase();
  return JSON.stringify(doc, null, 2);
}

/** A job id that says what the job does and stays unique enough: fw-2-1-0-20261122-1530. */
export function suggestJobId(version: string, now: Date): string {
  const v = version.trim().replace(/[^a-zA-Z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32) || 'job';
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `fw-${v}-${stamp}`;
}

/** Pretty JSON for display; the original text when it is not JSON. */
export function prettyDocument(document: string): string {
  try {
    return JSON.stringify(JSON.parse(document), null, 2);
  } catch {
    return document;
  }
}
