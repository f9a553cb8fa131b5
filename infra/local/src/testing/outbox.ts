import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

// The local region's e-mail outbox (`<stateDir>/outbox/*.eml`, one RFC 5322 message a file), read
// the way a person's mail client would show it: To, Subject (encoded words decoded), body.

export interface Mail {
  file: string;
  to: string;
  subject: string;
  body: string;
}

export function readOutbox(stateDir: string): Mail[] {
  const dir = join(stateDir, "outbox");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".eml"))
    .sort()
    .map((file) => parseMail(file, readFileSync(join(dir, file), "utf8")));
}

export function parseMail(file: string, text: string): Mail {
  const split = text.indexOf("\r\n\r\n");
  const head = text.slice(0, split);
  const header = (name: string) =>
    head
      .split("\r\n")
      .find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
      ?.slice(name.length + 1)
      .trim() ?? "";
  return {
    file,
    to: header("To"),
    subject: decodeWords(header("Subject")),
    body: text.slice(split + 4).replace(/\r\n/g, "\n"),
  };
}

function decodeWords(value: string): string {
  return value.replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=/gi, (_m, b64: string) =>
    Buffer.from(b64, "base64").toString("utf8"),
  );
}

/** The link a recipient follows to confirm a subscription: the first URL of the e-mail. */
export function confirmationLink(mail: Mail): string {
  const url = mail.body.match(/https?:\/\/\S+/)?.[0];
  if (!url) throw new Error(`no link in ${mail.file}`);
  return url;
}
