import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "selfsigned";
import { writeFileAtomic } from "../../state/atomic-file.js";

// The HTTPS listeners' certificate: self-signed for localhost, *.localhost and the environment hosts
// (browsers refuse a wildcard right under a top-level name, so qa.localhost is named as well),
// generated on first start and kept in the state folder so browsers and curl can be told to trust it once.

export interface TlsMaterial {
  key: string;
  cert: string;
  certFile: string;
}

export async function loadOrCreateCertificate(
  stateDir: string,
  domain = "localhost",
  hosts: string[] = [`qa.${domain}`],
): Promise<TlsMaterial> {
  const folder = join(stateDir, "tls");
  const keyFile = join(folder, "localhost.key");
  const certFile = join(folder, "localhost.crt");
  if (existsSync(keyFile) && existsSync(certFile)) {
    return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8"), certFile };
  }
  mkdirSync(folder, { recursive: true });
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 2);
  const pems = await generate([{ name: "commonName", value: domain }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notAfterDate: notAfter,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: domain },
          { type: 2, value: `*.${domain}` },
          ...hosts.map((value) => ({ type: 2 as const, value })),
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  writeFileAtomic(keyFile, pems.private, 0o600);
  writeFileAtomic(certFile, pems.cert, 0o644);
  return { key: pems.private, cert: pems.cert, certFile };
}
