import { createTransport, type Transporter } from "nodemailer";

// E-mail subscriptions over SMTP, when the region is given a server: the same RFC 5322 text the
// outbox would hold, sent as it is (nodemailer's raw message) with the configured sender as the
// envelope's and the From header's address, since a relay refuses mail from a domain it does not serve.

export interface SmtpOptions {
  host: string;
  port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  /** The sender address: `alarms@example.com` or `Alarms <alarms@example.com>`. */
  from: string;
  auth?: { user: string; pass: string };
}

/**
 * `smtp://user:pass@host:587?from=alarms@example.com` or `smtps://...:465`, as LOCAL_REGION_SMTP_URL
 * gives it. Undefined for an empty value; an error names what is missing, never the password.
 */
export function smtpFromUrl(url: string | undefined): SmtpOptions | undefined {
  if (!url) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== "smtp:" && parsed.protocol !== "smtps:") {
    throw new Error(`LOCAL_REGION_SMTP_URL: smtp:// or smtps:// expected, not ${parsed.protocol}//`);
  }
  const secure = parsed.protocol === "smtps:";
  const from = parsed.searchParams.get("from");
  if (!from) throw new Error("LOCAL_REGION_SMTP_URL: the sender is missing (?from=address)");
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    from,
    ...(parsed.username
      ? { auth: { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } }
      : {}),
  };
}

/** Where mail goes, for logs: user, host and port, never the password. */
export function smtpLabel(options: SmtpOptions): string {
  const user = options.auth ? `${options.auth.user}@` : "";
  return `${options.secure ? "smtps" : "smtp"}://${user}${options.host}:${options.port}`;
}

/** The bare address of `Name <address>` or `address`, for the SMTP envelope. */
export function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
}

export class SmtpSender {
  private readonly transport: Transporter;

  constructor(private readonly options: SmtpOptions) {
    this.transport = createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure ?? false,
      ...(options.auth ? { auth: options.auth } : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  /** Sends one message; rejects with an error whose text has the password taken out. */
  async send(to: string, raw: string): Promise<void> {
    try {
      await this.transport.sendMail({ envelope: { from: addressOf(this.options.from), to: [to] }, raw });
    } catch (error) {
      throw new Error(this.redact(error instanceof Error ? error.message : String(error)));
    }
  }

  close(): void {
    this.transport.close();
  }

  private redact(text: string): string {
    const pass = this.options.auth?.pass;
    return pass ? text.split(pass).join("***") : text;
  }
}
