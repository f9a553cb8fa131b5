import { AwsError } from "../contracts.js";

// awsQuery: form fields in, XML out. `Targets.member.1.Id=i-1` decodes to `{ Targets: [{ Id: "i-1" }] }`,
// `Attributes.entry.1.key=k&Attributes.entry.1.value=v` to `{ Attributes: { k: "v" } }`; leaves stay
// strings (the form has no types), which the params helpers parse.

const MAX_FIELDS = 2000;
const MAX_DEPTH = 12;
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

type Tree = { [key: string]: Tree | string };

export interface QueryRequest {
  action: string | undefined;
  version: string | undefined;
  input: Record<string, unknown>;
}

export function decodeQueryForm(body: string): QueryRequest {
  const form = new URLSearchParams(body);
  const root: Tree = {};
  let action: string | undefined;
  let version: string | undefined;
  let count = 0;
  for (const [key, value] of form) {
    if (++count > MAX_FIELDS) throw malformed(`more than ${MAX_FIELDS} form fields`);
    if (key === "Action") action = value;
    else if (key === "Version") version = value;
    else setPath(root, key, value);
  }
  return { action, version, input: toShape(root) as Record<string, unknown> };
}

function setPath(root: Tree, key: string, value: string): void {
  const parts = key.split(".");
  if (parts.length > MAX_DEPTH || parts.some((p) => p === "" || FORBIDDEN_KEYS.has(p))) {
    throw malformed(`invalid parameter name '${key}'`);
  }
  let node = root;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === "object") node = next;
    else node = node[part] = {};
  }
  const last = parts[parts.length - 1]!;
  if (typeof node[last] !== "object") node[last] = value;
}

function toShape(node: Tree | string): unknown {
  if (typeof node === "string") return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === "member") return toList(node.member!);
  if (keys.length === 1 && keys[0] === "entry") return toMap(node.entry!);
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = toShape(node[key]!);
  return out;
}

function numbered(node: Tree | string, what: string): [number, Tree | string][] {
  if (typeof node === "string") throw malformed(`${what} must be numbered (.${what}.1)`);
  return Object.entries(node)
    .map(([k, v]): [number, Tree | string] => {
      if (!/^[1-9]\d{0,3}$/.test(k)) throw malformed(`invalid ${what} index '${k}'`);
      return [Number(k), v];
    })
    .sort((a, b) => a[0] - b[0]);
}

function toList(node: Tree | string): unknown[] {
  return numbered(node, "member").map(([, v]) => toShape(v));
}

function toMap(node: Tree | string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [, entry] of numbered(node, "entry")) {
    if (typeof entry === "string") throw malformed("map entry without a key");
    // A map may name its parts (SNS MessageAttributes: `entry.1.Name`, `entry.1.Value.DataType`).
    const key = entry.key ?? entry.Name;
    const value = entry.key === undefined ? entry.Value : entry.value;
    if (typeof key !== "string") throw malformed("map entry without a key");
    if (FORBIDDEN_KEYS.has(key)) throw malformed(`invalid map key '${key}'`);
    out[key] = value === undefined ? "" : toShape(value);
  }
  return out;
}

function malformed(message: string): AwsError {
  return new AwsError("MalformedQueryString", message);
}

/** Marks an output value to be written as an awsQuery map (`<entry><key/><value/></entry>`). */
export class XmlMap {
  constructor(readonly entries: Record<string, string | number>) {}

  /** The same output answered over awsJson (a queryCompatible service) is a plain object. */
  toJSON(): Record<string, string | number> {
    return this.entries;
  }
}

export function encodeQueryResponse(
  action: string,
  xmlNamespace: string,
  output: unknown,
  requestId: string,
): string {
  const result = isRecord(output)
    ? Object.entries(output)
        .map(([k, v]) => element(k, v))
        .join("")
    : "";
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${action}Response xmlns="${xmlNamespace}"><${action}Result>${result}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function encodeQueryError(xmlNamespace: string, error: AwsError, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ErrorResponse xmlns="${xmlNamespace}"><Error><Type>${error.fault}</Type>` +
    `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  return `<${name}>${content(value)}</${name}>`;
}

function content(value: unknown): string {
  if (value instanceof XmlMap) {
    return Object.entries(value.entries)
      .map(([k, v]) => `<entry><key>${escapeXml(k)}</key><value>${escapeXml(String(v))}</value></entry>`)
      .join("");
  }
  if (Array.isArray(value)) return value.map((item) => element("member", item)).join("");
  if (value instanceof Date) return value.toISOString();
  if (isRecord(value))
    return Object.entries(value)
      .map(([k, v]) => element(k, v))
      .join("");
  return escapeXml(String(value));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
