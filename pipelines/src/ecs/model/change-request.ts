import type { EnvVar } from "./env-file.js";

/** What a deploy (or diff) asks to change in the service's task definition, as parsed from the command line. */
export interface ChangeRequest {
  /** `-t`: a new tag for every container's image. */
  tag?: string;
  images: { container: string; image: string }[];
  env: { container: string; name: string; value: string }[];
  envFiles: { container: string; file: string; vars: EnvVar[] }[];
  secrets: { container: string; name: string; valueFrom: string }[];
  exclusiveEnv: boolean;
  exclusiveSecrets: boolean;
  commands: { container: string; command: string[] }[];
  cpu: { container: string; value: number }[];
  memory: { container: string; value: number }[];
  memoryReservation: { container: string; value: number }[];
  taskRoleArn?: string;
  executionRoleArn?: string;
}

export function emptyChangeRequest(): ChangeRequest {
  return {
    images: [],
    env: [],
    envFiles: [],
    secrets: [],
    exclusiveEnv: false,
    exclusiveSecrets: false,
    commands: [],
    cpu: [],
    memory: [],
    memoryReservation: [],
  };
}

/** Every container name the request mentions, for the "does this container exist" check. */
export function containersNamed(request: ChangeRequest): string[] {
  const lists = [
    request.images,
    request.env,
    request.envFiles,
    request.secrets,
    request.commands,
    request.cpu,
    request.memory,
    request.memoryReservation,
  ];
  return [...new Set(lists.flatMap((list) => list.map((item) => item.container)))];
}
