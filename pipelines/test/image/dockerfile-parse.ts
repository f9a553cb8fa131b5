// A small Dockerfile reader for the invariant tests: instructions with their stage, continuation
// lines joined, comments dropped. No Docker engine runs here, so the files are checked as text.

export interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

export interface Stage {
  index: number;
  base: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (!current && /^\s*#/.test(line)) continue;
    if (/^\s*#/.test(line)) continue;
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = "";
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = "", ...rest] = line.split(/\s+/);
    const args = rest.join(" ");
    const upper = keyword.toUpperCase();
    if (upper === "FROM") {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({
        index: stages.length,
        base: match?.[1] ?? args,
        ...(match?.[2] && { name: match[2] }),
        instructions: [],
      });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      if (upper !== "ARG") throw new Error(`${upper} before the first FROM`);
      continue;
    }
    stage.instructions.push({ keyword: upper, args, stage: stage.index });
  }
  return stages;
}
