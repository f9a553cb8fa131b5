import { isAbsolute, join, normalize } from "node:path";
import type { ImageConfig } from "../../contracts.js";
import type { ContainerDefinition } from "../../services/ecs/model/types.js";

// What a container runs, decided as Docker does: the task definition's entryPoint/command override
// the image's Entrypoint/Cmd (a new entryPoint drops the image's Cmd), inside the image's root.

export interface ContainerCommand {
  file: string;
  args: string[];
  cwd: string;
}

export class CommandError extends Error {}

export function containerCommand(
  def: ContainerDefinition,
  config: ImageConfig,
  imageRoot: string,
  nodePath: string = process.execPath,
): ContainerCommand {
  const entrypoint = def.entryPoint ?? config.Entrypoint ?? [];
  const cmd = def.command ?? (def.entryPoint ? [] : (config.Cmd ?? []));
  const argv = [...entrypoint, ...cmd];
  const [first, ...args] = argv;
  if (!first)
    throw new CommandError("the image has no Entrypoint or Cmd and the task definition names no command");
  const cwd = insideRoot(imageRoot, def.workingDirectory ?? config.WorkingDir ?? "/");
  return { file: executable(first, imageRoot, cwd, nodePath), args, cwd };
}

/** `node` is the host's node; an absolute path is inside the image; a relative one is from the working dir. */
function executable(word: string, imageRoot: string, cwd: string, nodePath: string): string {
  if (word === "node" || word === "/usr/local/bin/node" || word === "/usr/bin/node") return nodePath;
  if (isAbsolute(word)) return insideRoot(imageRoot, word);
  if (word.includes("/")) return join(cwd, word);
  // A bare program name (sh, ffmpeg, ...) comes from the host's PATH: there is no container OS.
  return word;
}

function insideRoot(root: string, path: string): string {
  const inside = normalize(join("/", path));
  return join(root, inside);
}
