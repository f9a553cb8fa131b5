// What "verified" means for an environment, as pure rules: through the load balancer, with the
// environment's Host header, both services answer healthy and report the commit and image this
// run deployed, for several rounds in a row (one lucky answer from a draining old task is not enough).

export interface Expectation {
  /** The commit the images were built from (GIT_COMMIT). */
  commit: string;
  /** Per app: the image digest and tag deployed. */
  images: Record<string, { digest: string; tag: string }>;
}

export interface Probe {
  app: string;
  path: string;
  kind: "health" | "version";
}

/** The four requests of the brief: API and media server, health and version. */
export const PROBES: readonly Probe[] = [
  { app: "api", path: "/healthz", kind: "health" },
  { app: "api", path: "/api/v1/version", kind: "version" },
  { app: "media-server", path: "/media/healthz", kind: "health" },
  { app: "media-server", path: "/media/version", kind: "version" },
];

export interface Answer {
  status: number;
  body: string;
}

/** A problem with one answer, or undefined when it is what the deploy should produce. */
export function checkAnswer(probe: Probe, answer: Answer | Error, expected: Expectation): string | undefined {
  const where = `${probe.path}`;
  if (answer instanceof Error) return `${where}: ${answer.message}`;
  if (answer.status !== 200) return `${where}: HTTP ${answer.status}`;
  if (probe.kind === "health") return undefined;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `${where}: the answer is not JSON`;
  }
  const commit = typeof body.commit === "string" ? body.commit : undefined;
  if (!commit || !sameCommit(commit, expected.commit)) {
    return `${where}: commit is ${commit ?? "missing"}, expected ${expected.commit}`;
  }
  const image = expected.images[probe.app];
  if (image) {
    const reported = typeof body.image === "string" ? body.image : undefined;
    if (!reported || !(reported.includes(image.digest) || reported.endsWith(`:${image.tag}`))) {
      return `${where}: image is ${reported ?? "missing"}, expected ${image.digest} (tag ${image.tag})`;
    }
  }
  return undefined;
}

/** Commits match when one is a prefix of the other (short and full shas) and both agree on "-dirty". */
export function sameCommit(a: string, b: string): boolean {
  const [shaA = "", dirtyA] = a.split("-dirty");
  const [shaB = "", dirtyB] = b.split("-dirty");
  if ((dirtyA !== undefined) !== (dirtyB !== undefined)) return false;
  if (shaA.length < 7 || shaB.length < 7) return false;
  return shaA.startsWith(shaB) || shaB.startsWith(shaA);
}

export type RoundResult = { problems: string[] };

export type Verdict = { state: "passed" } | { state: "waiting" } | { state: "failed"; problems: string[] };

/**
 * Passed after `required` clean rounds in a row; failed when `maxRounds` rounds went by without
 * that; waiting otherwise. A round with problems resets the count: the deploy may still be settling.
 */
export function assessRounds(rounds: RoundResult[], required: number, maxRounds: number): Verdict {
  let streak = 0;
  for (const round of rounds) streak = round.problems.length === 0 ? streak + 1 : 0;
  if (streak >= required) return { state: "passed" };
  const last = rounds.at(-1);
  const roundsLeft = maxRounds - rounds.length;
  if (roundsLeft <= 0 || required - streak > roundsLeft) {
    return {
      state: "failed",
      problems: last?.problems.length ? last.problems : ["not enough clean rounds in a row"],
    };
  }
  return { state: "waiting" };
}
