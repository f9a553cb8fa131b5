import { UsageError } from "./errors.js";

// fabfuel's options take several values (`-e CONTAINER NAME VALUE`); commander's options take one.
// Before commander parses, each such option's values are joined into one token with a separator no
// shell argument can contain, and split again by the option's parser.

export const JOIN = "\u0000";

export const MULTI_VALUE_OPTIONS: Record<string, number> = {
  "-i": 2,
  "--image": 2,
  "-e": 3,
  "--env": 3,
  "-s": 3,
  "--secret": 3,
  "--env-file": 2,
  "-c": 2,
  "--command": 2,
  "--cpu": 2,
  "--memory": 2,
  "--memoryreservation": 2,
};

export function joinMultiValueOptions(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const arity = MULTI_VALUE_OPTIONS[arg];
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (!arity) {
      out.push(arg);
      continue;
    }
    const values = argv.slice(i + 1, i + 1 + arity);
    if (values.length < arity || values.some((v) => v.includes(JOIN))) {
      throw new UsageError(`${arg} takes ${arity} values (${usageOf(arg)}), got ${values.length}`);
    }
    out.push(arg, values.join(JOIN));
    i += arity;
  }
  return out;
}

export function splitJoined(value: string, option: string, arity: number): string[] {
  const parts = value.split(JOIN);
  if (parts.length !== arity) throw new UsageError(`${option} takes ${arity} values (${usageOf(option)})`);
  return parts;
}

function usageOf(option: string): string {
  switch (option.replace(/^-+/, "")) {
    case "i":
    case "image":
      return "CONTAINER IMAGE";
    case "e":
    case "env":
      return "CONTAINER NAME VALUE";
    case "s":
    case "secret":
      return "CONTAINER NAME PARAMETER";
    case "env-file":
      return "CONTAINER FILE";
    case "c":
    case "command":
      return "CONTAINER COMMAND";
    default:
      return "CONTAINER N";
  }
}
