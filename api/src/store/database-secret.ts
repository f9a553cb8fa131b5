import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { z } from "zod";

// The RDS-managed master user secret ({username, password} JSON in Secrets Manager). RDS rotates it
// on its own schedule, so the value is cached only until the server refuses it (see postgres.ts).

const SecretJson = z.object({ username: z.string().min(1), password: z.string().min(1) });

export type DatabaseCredentials = z.infer<typeof SecretJson>;

export class DatabaseSecret {
  private cached: Promise<DatabaseCredentials> | undefined;
  /** How many times the secret was read from Secrets Manager (tests and logs). */
  reads = 0;

  constructor(
    private readonly secretId: string,
    private readonly client: SecretsManagerClient = new SecretsManagerClient({}),
  ) {}

  credentials(): Promise<DatabaseCredentials> {
    this.cached ??= this.read();
    // A failed read is not cached: the next connection attempt asks again.
    this.cached.catch(() => {
      this.cached = undefined;
    });
    return this.cached;
  }

  /** The server refused the cached password (rotated): the next connection reads the secret again. */
  forget(): void {
    this.cached = undefined;
  }

  private async read(): Promise<DatabaseCredentials> {
    this.reads += 1;
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    let json: unknown;
    try {
      json = JSON.parse(out.SecretString ?? "");
    } catch {
      throw new Error(`database secret ${this.secretId}: SecretString is not JSON`);
    }
    const parsed = SecretJson.safeParse(json);
    // Never the value itself in the message: only which fields are missing.
    if (!parsed.success)
      throw new Error(`database secret ${this.secretId}: needs string fields username and password`);
    return parsed.data;
  }
}
