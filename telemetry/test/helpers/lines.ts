import { PassThrough } from "node:stream";

/** A stream for createLogger({ stream }) and the JSON lines written to it. */
export function captureLines() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  let partial = "";
  stream.on("data", (chunk) => {
    const parts = (partial + String(chunk)).split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts) if (part) lines.push(JSON.parse(part));
  });
  return { stream, lines };
}
