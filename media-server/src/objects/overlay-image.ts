import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { illegalParam } from "../protocol/errors.js";

const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i;

/**
 * FaceOverlayFilter's image may come only from our own public/ folder (a path such as
 * "/media/img/overlay.png", or any URL of ours whose path is that) or from an allowlisted https host.
 * Anything else — file: URLs, other hosts, paths that climb out — is refused.
 */
export async function resolveOverlayImage(
  uri: string,
  publicDir: string,
  allowedHosts: string[],
): Promise<string> {
  const url = parseUri(uri);
  if (url.protocol === "https:" && allowedHosts.includes(url.hostname.toLowerCase())) {
    return download(url);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:" && url.protocol !== "relative:") {
    throw illegalParam(`overlay image: scheme '${url.protocol}' is not allowed`);
  }
  if (url.protocol !== "relative:" && !isLocalHost(url.hostname)) {
    throw illegalParam(
      `overlay image: host '${url.hostname}' is not allowed (use a /media/ path or a host in OVERLAY_IMAGE_HOSTS)`,
    );
  }
  return publicFile(decodeURIComponent(url.pathname), publicDir);
}

function parseUri(uri: string): URL {
  try {
    return uri.startsWith("/") ? new URL(`relative://server${uri}`) : new URL(uri);
  } catch {
    throw illegalParam("overlay image: 'uri' is not a URL or path");
  }
}

function isLocalHost(host: string): boolean {
  return host === "localhost" || host === "127.0.0.1" || host === "server" || host.endsWith(".localhost");
}

async function publicFile(pathname: string, publicDir: string): Promise<string> {
  const relative = pathname.replace(/^\/media\//, "/").replace(/^\/+/, "");
  const file = path.resolve(publicDir, relative);
  if (!file.startsWith(path.resolve(publicDir) + path.sep) || !IMAGE_EXTENSIONS.test(file)) {
    throw illegalParam("overlay image: only .png/.jpg files under /media/ are allowed");
  }
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw illegalParam(`overlay image: ${pathname} does not exist`);
  return file;
}

async function download(url: URL): Promise<string> {
  if (!IMAGE_EXTENSIONS.test(url.pathname))
    throw illegalParam("overlay image: only .png/.jpg images are allowed");
  const dir = path.join(tmpdir(), "media-server-overlays");
  const file = path.join(
    dir,
    createHash("sha256").update(url.href).digest("hex") + path.extname(url.pathname),
  );
  if (existsSync(file)) return file;
  const response = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(5000) }).catch(
    () => undefined,
  );
  if (!response?.ok) throw illegalParam(`overlay image: could not fetch ${url.href}`);
  const body = Buffer.from(await response.arrayBuffer());
  if (body.length > MAX_IMAGE_BYTES) throw illegalParam("overlay image: larger than 2 MiB");
  await mkdir(dir, { recursive: true });
  await writeFile(file, body);
  return file;
}
