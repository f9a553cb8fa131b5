import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import { APP_NAMES, AwsSecretResolver, ENVIRONMENT_NAMES, loadSpec } from "@platform/env";
import type { LocalRegionProcess } from "./region-process.js";

// The secret-leak check: every secret value the region's spec names, read from its stores, looked
// for in what the pipeline printed and in every file it left behind.

export interface SecretValue {
  /** `api-qa API_ADMIN_KEY`. */
  name: string;
  value: string;
}

export interface Source {
  where: string;
  text: string;
}

export async function secretValues(region: LocalRegionProcess): Promise<SecretValue[]> {
  const spec = loadSpec(join(region.dir, "platform.yaml"));
  const config = region.clientConfig();
  const ssm = new SSMClient(config);
  const secretsManager = new SecretsManagerClient(config);
  const resolver = new AwsSecretResolver(ssm, secretsManager);
  try {
    const values: SecretValue[] = [];
    for (const env of ENVIRONMENT_NAMES) {
      for (const app of APP_NAMES) {
        for (const [name, ref] of Object.entries(spec.environments[env].services[app].secrets)) {
          values.push({ name: `${app}-${env} ${name}`, value: await resolver.resolve(ref) });
        }
      }
    }
    return values;
  } finally {
    ssm.destroy();
    secretsManager.destroy();
  }
}

/** Every file under the folders, read as text (a binary file's bytes as latin1, so a value in it still shows). */
export function filesUnder(...dirs: string[]): Source[] {
  return dirs.flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: "utf8" })
      .map((file) => join(dir, file))
      .filter((file) => statSync(file).isFile())
      .map((file) => ({ where: relative(dir, file) || file, text: readFileSync(file).toString("latin1") })),
  );
}

/** `<secret> in <where>` for each secret value found; empty when nothing leaked. */
export function findLeaks(values: SecretValue[], sources: Source[]): string[] {
  return values.flatMap(({ name, value }) =>
    sources.filter((source) => source.text.includes(value)).map((source) => `${name} in ${source.where}`),
  );
}
