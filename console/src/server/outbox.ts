import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { MailSummary } from "../views.js";

// The region's alarm e-mails. SNS has no API that returns a delivered e-mail (on AWS it is in a
// mailbox), so the console reads the folder the region delivers to, `<stateDir>/outbox/*.eml`, as a
// mail client would: read-only, by a file name it listed itself. The region writes plain 8-bit
// text with a base64 encoded-word subject when needed (sns/delivery.ts), which is all this parses.

const FILE = /^[\w.-]{1,200}\.eml$/;
const NEWEST = 50;

export class Outbox {
  private readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, "outbox");
  }

  async list(): Promise<MailSummary[]> {
    if (!existsSync(this.dir)) return [];
    const files = (await readdir(this.dir))
      .filter((f) => FILE.test(f))
      .sort()
      .reverse()
      .slice(0, NEWEST);
    return Promise.all(
      files.map(async (file) => {
        const { headers } = parse(await readFile(join(this.dir, file), "utf8"));
        return { file, to: headers.to ?? "", subject: headers.subject ?? "", date: headers.date ?? "" };
      }),
    );
  }

  /** One e-mail by name, or undefined when the name is not one the outbox holds. */
  async read(file: string): Promise<(MailSummary & { body: string }) | undefined> {
    if (!FILE.test(file) || !existsSync(join(this.dir, file))) return undefined;
    const { headers, body } = parse(await readFile(join(this.dir, file), "utf8"));
    return { file, to: headers.to ?? "", subject: headers.subject ?? "", date: headers.date ?? "", body };
  }
}

function parse(text: string): { headers: Record<string, string>; body: string } {
  const split = text.indexOf("\r\n\r\n");
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, split < 0 ? text.length : split).split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  return { headers, body: split < 0 ? "" : text.slice(split + 4).replace(/\r\n/g, "\n") };
}

function decodeWords(value: string): string {
  return value.replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=/gi, (_m, b64: string) =>
    Buffer.from(b64, "base64").toString("utf8"),
  );
}
