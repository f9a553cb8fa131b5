import { UsageError } from "./errors.js";

export interface EnvVar {
  name: string;
  value: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses a dotenv-style file: `NAME=value`, `export NAME=value`, quotes, `#` comments, blank lines. */
export function parseEnvFile(text: string, fileName: string): EnvVar[] {
  const vars: EnvVar[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const body = line.startsWith("export ") ? line.slice(7).trimStart() : line;
    const eq = body.indexOf("=");
    const name = eq > 0 ? body.slice(0, eq).trim() : "";
    if (!NAME.test(name)) {
      throw new UsageError(`${fileName}:${index + 1}: expected NAME=value, got a line without a valid name`);
    }
    vars.push({ name, value: unquote(body.slice(eq + 1).trim()) });
  });
  return vars;
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  if (!quoted) return value;
  return quoted[1] === '"' ? quoted[2]!.replace(/\\n/g, "\n").replace(/\\"/g, '"') : quoted[2]!;
}

export function isValidEnvName(name: string): boolean {
  return NAME.test(name);
}
