import { MailDev } from 'maildev';

/**
 * The local SMTP sink with a web inbox (MailDev, from npm): notification e-mail from the app and
 * the worker lands here, on loopback only. Its REST API (`GET /email`) lets tests read the inbox.
 */
export interface RunningMailSink {
  smtpUrl: string;
  /** The web inbox (and REST API) base URL. */
  webUrl: string;
  close(): Promise<void>;
}

export async function startMailSink(options: { smtpPort: number; webPort: number; mailDirectory: string; maxEmails?: number }): Promise<RunningMailSink> {
  const sink = new MailDev({
    smtp: options.smtpPort,
    web: options.webPort,
    ip: '127.0.0.1',
    webIp: '127.0.0.1',
    silent: true,
    mailDirectory: options.mailDirectory,
    maxEmails: options.maxEmails ?? 1000,
  });
  await sink.start();
  return {
    smtpUrl: `smtp://127.0.0.1:${options.smtpPort}`,
    webUrl: `http://127.0.0.1:${options.webPort}`,
    close: () => sink.stop(),
  };
}

/** One message as the sink's REST API returns it (the fields tests read). */
export interface SinkEmail {
  id: string;
  subject: string;
  text?: string;
  html?: string;
  to: Array<{ address: string; name?: string }>;
  from: Array<{ address: string; name?: string }>;
  headers: Record<string, string | string[]>;
}

export async function listSinkEmails(webUrl: string): Promise<SinkEmail[]> {
  const res = await fetch(`${webUrl}/api/email`);
  if (!res.ok) throw new Error(`mail sink answered ${res.status}`);
  return (await res.json()) as SinkEmail[];
}
