// Where a job's files live: `objects://key` (the service's own storage, per user), `s3://bucket/key`
// (allowed buckets only) and, for inputs, `http(s)://`. Parsing and validation only.

export class UriError extends Error {}

export type Location =
  | { scheme: "objects"; key: string }
  | { scheme: "s3"; bucket: string; key: string }
  | { scheme: "http"; url: URL };

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._=+-]{0,127}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY = 512;

/**
 * An object key: segments of letters, digits and `._=+-`, none starting with `.` or `-` (so no `..`,
 * no hidden files, nothing ffmpeg could read as an option). `prefix` allows a trailing `/`.
 */
export function validateKey(key: string, what = "key", prefix = false): string {
  const body = prefix && key.endsWith("/") ? key.slice(0, -1) : key;
  if (body.length === 0 && prefix) return "";
  if (key.length > MAX_KEY) throw new UriError(`${what} is longer than ${MAX_KEY} characters`);
  for (const segment of body.split("/")) {
    if (segment === "..") throw new UriError(`${what} must not contain '..'`);
    if (!SEGMENT.test(segment))
      throw new UriError(
        `${what} '${key}' is not valid: use segments of letters, digits and ._=+- separated by '/', each starting with a letter, digit or '_'`,
      );
  }
  return key;
}

interface ParseOptions {
  allowedBuckets: readonly string[];
  /** http(s) is for inputs only. */
  allowHttp: boolean;
  /** An output names a prefix (folder), an input an object. */
  prefix: boolean;
  what: string;
}

export function parseLocation(uri: string, options: ParseOptions): Location {
  const { what } = options;
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === "objects") {
    return { scheme, key: validateKey(uri.slice("objects://".length), what, options.prefix) };
  }
  if (scheme === "s3") {
    const rest = uri.slice("s3://".length);
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    if (!BUCKET.test(bucket)) throw new UriError(`${what}: '${bucket}' is not a valid bucket name`);
    if (!options.allowedBuckets.includes(bucket))
      throw new UriError(`${what}: bucket '${bucket}' is not one this service may use`);
    const key = slash < 0 ? "" : rest.slice(slash + 1);
    if (!options.prefix && key === "") throw new UriError(`${what}: s3 URI has no key`);
    return { scheme, bucket, key: validateKey(key, what, options.prefix) };
  }
  if ((scheme === "http" || scheme === "https") && options.allowHttp) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new UriError(`${what} is not a valid URL`);
    }
    if (url.username || url.password) throw new UriError(`${what}: credentials in URLs are not accepted`);
    return { scheme: "http", url };
  }
  const accepted = options.allowHttp ? "objects://, s3:// or http(s)://" : "objects:// or s3://";
  throw new UriError(`${what} must be an ${accepted} URI`);
}

export function formatLocation(location: Location): string {
  if (location.scheme === "objects") return `objects://${location.key}`;
  if (location.scheme === "s3") return `s3://${location.bucket}/${location.key}`;
  return location.url.toString();
}

/** A file name from any input's last path segment, made safe as a key segment. */
export function safeStem(input: string): string {
  const path = input.replace(/[?#].*$/, "");
  let base = path.slice(path.lastIndexOf("/") + 1);
  try {
    base = decodeURIComponent(base);
  } catch {
    // keep it encoded
  }
  const stem = base.includes(".") ? base.slice(0, base.lastIndexOf(".")) : base;
  const cleaned = stem.replace(/[^A-Za-z0-9._=+-]/g, "_").replace(/^[.-]+/, "");
  return cleaned.slice(0, 100) || "output";
}

/** The result of input `objects://a/clip.mov` with output `objects://b/` is `objects://b/clip.mp4`. */
export function outputFor(input: string, outputPrefix: string): string {
  const prefix =
    outputPrefix.endsWith("/") || outputPrefix.endsWith("://") ? outputPrefix : `${outputPrefix}/`;
  return `${prefix}${safeStem(input)}.mp4`;
}
