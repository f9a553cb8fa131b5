import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./state/atomic-file.js";

// The region's one access key, generated on first start and kept in AWS shared-credentials format
// (profile `local`), so the CLI, boto3 and the SDKs use it with AWS_SHARED_CREDENTIALS_FILE.

export const PROFILE = "local";

export interface RegionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** `<stateDir>/credentials`. */
  credentialsFile: string;
  /** `<stateDir>/config`: region and endpoint_url for the `local` profile. */
  configFile: string;
  profile: string;
}

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The region's key from `<stateDir>/credentials`, generated and written on first start. */
export function loadOrCreateAccessKey(stateDir: string): AccessKey {
  mkdirSync(stateDir, { recursive: true });
  const credentialsFile = join(stateDir, "credentials");
  const existing = existsSync(credentialsFile)
    ? parseProfile(readFileSync(credentialsFile, "utf8"), PROFILE)
    : undefined;
  if (existing) return existing;
  const key = {
    accessKeyId: `AKIA${randomKeyChars(16)}`,
    secretAccessKey: randomBytes(30).toString("base64"),
  };
  writeFileAtomic(
    credentialsFile,
    `[${PROFILE}]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`,
    0o600,
  );
  return key;
}

/** The key plus `<stateDir>/config` naming the region and endpoint for profile `local`. */
export function loadOrCreateCredentials(
  stateDir: string,
  endpoint: string,
  region: string,
): RegionCredentials {
  const key = loadOrCreateAccessKey(stateDir);
  const configFile = join(stateDir, "config");
  writeFileAtomic(
    configFile,
    `[profile ${PROFILE}]\nregion = ${region}\nendpoint_url = ${endpoint}\noutput = json\n`,
    0o600,
  );
  return { ...key, credentialsFile: join(stateDir, "credentials"), configFile, profile: PROFILE };
}

function parseProfile(
  text: string,
  profile: string,
): { accessKeyId: string; secretAccessKey: string } | undefined {
  let current = "";
  const values = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const section = /^\[(.+)\]$/.exec(line);
    if (section) current = section[1]!.trim();
    else if (current === profile && line.includes("=")) {
      const eq = line.indexOf("=");
      values.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
    }
  }
  const accessKeyId = values.get("aws_access_key_id");
  const secretAccessKey = values.get("aws_secret_access_key");
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

function randomKeyChars(n: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join("");
}
