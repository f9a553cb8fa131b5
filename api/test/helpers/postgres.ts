import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A throwaway PostgreSQL from Debian's package: initdb in a temp dir, the server on 127.0.0.1 with a
// free port. initdb and postgres refuse to run as root, so both run as the `postgres` user.

const BIN = "/usr/lib/postgresql/15/bin";

export interface TestPostgres {
  url: string;
  port: number;
  /** The Unix socket folder: superuser access without a password, also when TCP needs TLS. */
  socketDir: string;
  stop(): Promise<void>;
}

/** TCP only over TLS with this certificate and key, and only with a password (SCRAM). */
export interface PostgresTls {
  certFile: string;
  keyFile: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function postgresUser(): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return { uid, gid };
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = "";
    const timer = setTimeout(() => reject(new Error(`postgres did not start:\n${log}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr?.on("data", onData);
    child.stdout?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited with ${code}:\n${log}`));
    });
  });
}

/** ssl=on with the given certificate; pg_hba: trust on the socket, hostssl + scram on TCP. */
function configureTls(dir: string, data: string, tls: PostgresTls, owner: { uid: number; gid: number }) {
  const cert = join(dir, "server.crt");
  const key = join(dir, "server.key");
  copyFileSync(tls.certFile, cert);
  copyFileSync(tls.keyFile, key);
  for (const file of [cert, key]) chownSync(file, owner.uid, owner.gid);
  // PostgreSQL refuses a key others can read.
  execFileSync("chmod", ["600", key]);
  const hba = join(data, "pg_hba.conf");
  writeFileSync(hba, "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n");
  chownSync(hba, owner.uid, owner.gid);
  return ["-c", "ssl=on", "-c", `ssl_cert_file=${cert}`, "-c", `ssl_key_file=${key}`];
}

export async function startPostgres(tls?: PostgresTls): Promise<TestPostgres> {
  const { uid, gid } = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), "api-pg-"));
  chownSync(dir, uid, gid);
  const data = join(dir, "data");
  execFileSync(
    join(BIN, "initdb"),
    ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"],
    {
      uid,
      gid,
      cwd: dir,
      stdio: "ignore",
    },
  );
  const port = await freePort();
  const tlsArgs = tls ? configureTls(dir, data, tls, { uid, gid }) : [];
  const child = spawn(
    join(BIN, "postgres"),
    [
      "-D",
      data,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "fsync=off",
      ...tlsArgs,
    ],
    { uid, gid, cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  await waitForReady(child, 30_000);
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(child.pid, "SIGINT"); // fast shutdown
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, socketDir: dir, stop };
}
