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

const FfmpegProfileSchema = z.strictObject({
  codec: z.enum(CODECS),
  scale: z.enum(SCALES),
  bitrate: z.number().min(BITRATE_RANGE[0]).max(BITRATE_RANGE[1]).multipleOf(0.5),
  profile: z.enum(PROFILES).default("quality"),
  speed: z.enum(SPEEDS).default("medium"),
  platform: z.enum(PLATFORMS).default("cpu"),
});

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
  .check((ctx) => {
    const { input, batchInputs } = ctx.value;
    if ((input === undefined) === (batchInputs === undefined))
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        path: [],
        message: "give exactly one of input (one job) or batchInputs (a batch)",
      });
  });
export type JobBody = z.infer<typeof JobBody>;

export const QualityBody = z.strictObject({
  userid: USERID.optional(),
  /** The transcoded file. */
  input: URI,
  /** Its origin. */
  reference: URI,
  priority: PRIORITY.default(50),
  clientRequestToken: TOKEN.optional(),
});
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
