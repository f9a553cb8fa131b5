import { readFileSync } from "node:fs";
import { join } from "node:path";

/** A CI definition file as the generator writes it, relative to the repository root. */
export interface GeneratedFile {
  path: string;
  text: string;
}

/** The generated files whose committed copy differs from what the stage table gives today. */
export function staleFiles(repoRoot: string, files: readonly GeneratedFile[]): GeneratedFile[] {
  return files.filter((file) => committedText(repoRoot, file.path) !== file.text);
}

function committedText(repoRoot: string, path: string): string | undefined {
  try {
    return readFileSync(join(repoRoot, path), "utf8");
  } catch {
    return undefined;
  }
}
