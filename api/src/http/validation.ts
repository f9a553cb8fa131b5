import { z } from "zod";
import { JOB_STATES } from "../model/job.js";
import {
  BITRATE_RANGE,
  CODECS,
  PLATFORMS,
  PRIORITY_RANGE,
  PROFILES,
  SCALES,
  SPEEDS,
} from "../model/profile.js";
import { VMAF_FLAGS } from "../model/quality-metrics.js";
import { HttpError } from "./errors.js";

// Every body and query, as strict zod schemas (unknown fields are errors), and the 400 message that
// names each field that is wrong and what it may be.

export const USERID = z
  .string()
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9._@-]{0,63}$/,
    "must be 1-64 letters, digits or ._@- and not start with '.', '-' or '@'",
  );
const URI = z.string().min(1, "must not be empty").max(2048, "must be at most 2048 characters");
const TOKEN = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
    "must be 1-128 letters, digits or ._:- starting with a letter or digit",
  );
const PRIORITY = z.number().int().min(PRIORITY_RANGE[0]).max(PRIORITY_RANGE[1]);

/** `"1M"`, `"1.5M"`, `"1500k"` (the earlier service's strings) → Mb/s. */
const BITRATE_STRING = /^(\d{1,6}(?:\.\d{1,3})?)([MmKk])$/;

// Mb/s as a number, or as the earlier service's string; the job keeps the number.
const BITRATE = z
  .union([z.number(), z.string()], { error: 'must be Mb/s as a number (3) or a string like "3M" or "1500k"' })
  .transform((value, ctx) => {
    if (typeof value === "number") return value;
    const match = BITRATE_STRING.exec(value);
    if (match) return match[2]!.toLowerCase() === "k" ? Number(match[1]) / 1000 : Number(match[1]);
    ctx.issues.push({
      code: "custom",
      input: value,
      message: 'must be Mb/s as a number (3) or a string like "3M" or "1500k" (suffix M or k)',
    });
    return z.NEVER;
  })
  .pipe(z.number().min(BITRATE_RANGE[0]).max(BITRATE_RANGE[1]).multipleOf(0.5));

const FfmpegProfileSchema = z.strictObject({
  codec: z.enum(CODECS),
  scale: z.enum(SCALES),
  bitrate: BITRATE,
  profile: z.enum(PROFILES).default("quality"),
  speed: z.enum(SPEEDS).default("medium"),
  platform: z.enum(PLATFORMS).default("cpu"),
});

/** A body check: one of two fields, not both, not neither. */
function exactlyOne<K extends string>(a: K, b: K, message: string) {
  return (ctx: { value: Partial<Record<K, unknown>>; issues: z.core.$ZodRawIssue[] }) => {
    if ((ctx.value[a] === undefined) === (ctx.value[b] === undefined))
      ctx.issues.push({ code: "custom", input: ctx.value, path: [], message });
  };
}

export const JobBody = z
  .strictObject({
    userid: USERID.optional(),
    input: URI.optional(),
    batchInputs: z.array(URI).min(1).max(100).optional(),
    output: URI,
    priority: PRIORITY.default(50),
    profile: z.strictObject({ ffmpeg: FfmpegProfileSchema }),
    clientRequestToken: TOKEN.optional(),
  })
  .check(exactlyOne("input", "batchInputs", "give exactly one of input (one job) or batchInputs (a batch)"));
export type JobBody = z.infer<typeof JobBody>;

/** The earlier /vmaf request's profile: which metrics to compute beside VMAF. */
const VmafProfile = z.strictObject(
  Object.fromEntries(VMAF_FLAGS.map((flag) => [flag, z.boolean().optional()])) as Record<
    (typeof VMAF_FLAGS)[number],
    z.ZodOptional<z.ZodBoolean>
  >,
);

export const QualityBody = z
  .strictObject({
    userid: USERID.optional(),
    /** The transcoded file. */
    input: URI,
    /** Its origin (`origin` in the earlier /vmaf requests). */
    reference: URI.optional(),
    origin: URI.optional(),
    profile: z.strictObject({ vmaf: VmafProfile }).optional(),
    priority: PRIORITY.default(50),
    clientRequestToken: TOKEN.optional(),
  })
  .check(
    exactlyOne(
      "reference",
      "origin",
      "give exactly one of reference or origin (the same thing: the file it was made from)",
    ),
  );
export type QualityBody = z.infer<typeof QualityBody>;

export const ListQuery = z.strictObject({
  status: z.enum(JOB_STATES).optional(),
  userid: USERID.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
});

export const LinkBody = z.strictObject({
  object: URI,
  expiresInSeconds: z.number().int().min(10).max(86_400).default(3600),
});

/** `GET /jobs/{id}?format=events`: the earlier service's bare event array. */
export const JobQuery = z.strictObject({ format: z.enum(["job", "events"]).default("job") });

export const JOB_ID = /^[A-Za-z0-9-]{1,64}$/;

function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".");
  const at = path ? `${path}: ` : "";
  switch (issue.code) {
    case "unrecognized_keys": {
      const names = issue.keys.map((k) => (path ? `${path}.${k}` : k));
      return `unknown field${names.length > 1 ? "s" : ""}: ${names.join(", ")}`;
    }
    case "invalid_value":
      return `${at}must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_big":
      return `${at}must be at most ${issue.maximum}${issue.origin === "array" ? " items" : ""}`;
    case "too_small":
      return `${at}must be at least ${issue.minimum}${issue.origin === "array" ? " items" : ""}`;
    case "invalid_type":
      return path
        ? `${at}must be ${issue.expected === "int" ? "an integer" : `a ${issue.expected}`}`
        : "request body must be a JSON object (sent with Content-Type: application/json)";
    default:
      return `${at}${issue.message}`;
  }
}

export function parse<S extends z.ZodType>(schema: S, value: unknown, where = "request body"): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 10).map(describe);
  throw new HttpError(400, `invalid ${where}: ${problems.join("; ")}`);
}
