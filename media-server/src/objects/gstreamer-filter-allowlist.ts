import type { GstElement } from "../media/gst-element.js";
import { RpcError } from "../protocol/errors.js";

/**
 * GStreamerFilter's `command`, reduced to what is safe: exactly one allowlisted element, each
 * property allowlisted with a typed, bounded value. Nothing the client writes reaches gst-launch
 * as text: we parse it here and rebuild the element from the allowlist.
 */
type PropRule =
  | { kind: "number"; min: number; max: number }
  | { kind: "int"; min: number; max: number }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "bool" };

const num = (min: number, max: number): PropRule => ({ kind: "number", min, max });
const int = (min: number, max: number): PropRule => ({ kind: "int", min, max });
const oneOf = (...values: string[]): PropRule => ({ kind: "enum", values });

const ALLOWED: Record<string, Record<string, PropRule>> = {
  videoflip: {
    method: oneOf(
      "none",
      "clockwise",
      "rotate-180",
      "counterclockwise",
      "horizontal-flip",
      "vertical-flip",
      "upper-left-diagonal",
      "upper-right-diagonal",
    ),
    "video-direction": oneOf("identity", "90r", "180", "90l", "horiz", "vert", "ul-lr", "ur-ll"),
  },
  videobalance: { saturation: num(0, 2), brightness: num(-1, 1), contrast: num(0, 2), hue: num(-1, 1) },
  gamma: { gamma: num(0.01, 10) },
  coloreffects: { preset: oneOf("none", "heat", "sepia", "xray", "xpro", "yellowblue") },
  edgetv: {},
  agingtv: {
    "scratch-lines": int(0, 20),
    "color-aging": { kind: "bool" },
    dusts: { kind: "bool" },
    pits: { kind: "bool" },
  },
  dicetv: { square_bits: int(0, 5) },
  warptv: {},
  shagadelictv: {},
  vertigotv: { speed: num(0.01, 100), "zoom-speed": num(1.01, 1.1) },
  rippletv: { mode: oneOf("motion-detection", "rain") },
  edgedetect: {
    threshold1: int(0, 1000),
    threshold2: int(0, 1000),
    aperture: int(3, 7),
    mask: { kind: "bool" },
  },
};

export const allowedGStreamerElements = Object.keys(ALLOWED);

const refuse = (why: string) =>
  new RpcError("MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", `GStreamerFilter command refused: ${why}`);

export function parseGStreamerCommand(command: string): GstElement {
  if (command.length > 200) throw refuse("it is longer than 200 characters");
  const tokens = command.trim().split(/\s+/).filter(Boolean);
  const [factory, ...assignments] = tokens;
  if (!factory) throw refuse("it is empty");
  if (tokens.includes("!") || /[!"'`;|&$<>(){}\\]/.test(command)) {
    throw refuse("only one element is allowed, without links, quotes or shell characters");
  }
  const rules = ALLOWED[factory];
  if (!rules) {
    throw refuse(`element '${factory}' is not allowed (allowed: ${allowedGStreamerElements.join(", ")})`);
  }
  const props: GstElement["props"] = {};
  for (const assignment of assignments) {
    const match = /^([a-z0-9_-]+)=(.+)$/.exec(assignment);
    if (!match) throw refuse(`'${assignment}' is not a property=value pair`);
    const [, key, raw] = match as unknown as [string, string, string];
    const rule = rules[key];
    if (!rule) throw refuse(`property '${key}' of '${factory}' is not allowed`);
    props[key] = parseValue(key, raw, rule);
  }
  return { factory, props };
}

function parseValue(key: string, raw: string, rule: PropRule): string | number | boolean {
  switch (rule.kind) {
    case "enum":
      if (!rule.values.includes(raw)) throw refuse(`'${key}' must be one of ${rule.values.join(", ")}`);
      return raw;
    case "bool":
      if (raw !== "true" && raw !== "false") throw refuse(`'${key}' must be true or false`);
      return raw === "true";
    case "number":
    case "int": {
      const value = Number(raw);
      const ok = /^-?\d+(\.\d+)?$/.test(raw) && value >= rule.min && value <= rule.max;
      if (!ok || (rule.kind === "int" && !Number.isInteger(value))) {
        throw refuse(
          `'${key}' must be a${rule.kind === "int" ? "n integer" : " number"} from ${rule.min} to ${rule.max}`,
        );
      }
      return value;
    }
  }
}
