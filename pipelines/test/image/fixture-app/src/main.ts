// A tiny app for the image build tests: a native module (better-sqlite3), a CommonJS dependency
// loaded from ESM, an asset read at run time, and the build info the image records.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";

const db = new Database(":memory:");
const sqlite = (db.prepare("select sqlite_version() as v").get() as { v: string }).v;
const page = readFileSync(new URL("./public/index.html", import.meta.url), "utf8");
const generated = readFileSync(new URL("./public/generated.txt", import.meta.url), "utf8");

const server = createServer((req, res) => {
  if (req.url === "/healthz") {
    res.end("ok");
    return;
  }
  if (req.url === "/version") {
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify({
        version: process.env.APP_VERSION,
        commit: process.env.GIT_COMMIT,
        buildTime: process.env.BUILD_TIME,
        sqlite,
        generated,
      }),
    );
    return;
  }
  res.setHeader("content-type", "text/html");
  res.end(page);
});

server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
