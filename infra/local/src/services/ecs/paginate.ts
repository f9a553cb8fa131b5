import { invalid, optionalInt } from "./model/validation.js";

// ECS list pagination: maxResults (1..100) and an opaque nextToken (here, the offset).

export function paginate<T>(items: T[], input: Record<string, unknown>) {
  const max = optionalInt(input.maxResults, "maxResults", 1, 100) ?? 100;
  let offset = 0;
  if (input.nextToken !== undefined && input.nextToken !== null) {
    const decoded =
      typeof input.nextToken === "string"
        ? Number(Buffer.from(input.nextToken, "base64url").toString())
        : NaN;
    if (!Number.isInteger(decoded) || decoded < 0) throw invalid("Invalid nextToken.");
    offset = decoded;
  }
  const page = items.slice(offset, offset + max);
  const nextOffset = offset + max;
  return {
    items: page,
    next:
      nextOffset < items.length ? { nextToken: Buffer.from(String(nextOffset)).toString("base64url") } : {},
  };
}
