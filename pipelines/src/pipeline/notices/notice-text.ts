import type { EnvironmentName } from "@platform/env";

// The words of the pipeline's notices to the team, as pure functions of what the pipeline knows:
// qa is ready for checking, prod changed, a stage failed. publish.ts sends them; nothing here does I/O.

export interface Notice {
  /** The environment whose e-mail topic the notice goes to. */
  environment: EnvironmentName;
  /** SNS e-mail subjects: at most 100 printable ASCII characters, one line. */
  subject: string;
  message: string;
}

/** What changed since the commit prod serves, as commit subjects (newest first), or why that is unknown. */
export type Changes =
  | { kind: "listed"; prodCommit: string; subjects: string[]; more: boolean }
  | { kind: "unknown"; reason: string };

export interface ImageSummary {
  tag: string;
  digest: string;
}

const SUBJECT_MAX = 100;
/** Enough of a stage's error to act on; an e-mail is no place for a 20 kB stack of tool output. */
const ERROR_MAX = 4000;

export function shortCommit(commit: string): string {
  const [sha = "", dirty] = commit.split("-dirty");
  return `${sha.slice(0, 12)}${dirty !== undefined ? "-dirty" : ""}`;
}

export function qaReadyNotice(input: {
  commit: string;
  firstSubject?: string;
  qaUrl: string;
  changes: Changes;
}): Notice {
  const lines = [
    `qa serves commit ${input.commit} and is ready for checking: ${input.qaUrl}`,
    "",
    ...changeLines(input.changes),
    "",
    "Approve the release to prod when qa looks right.",
  ];
  return {
    environment: "qa",
    subject: subjectLine(`qa ready: ${shortCommit(input.commit)} ${input.firstSubject ?? ""}`),
    message: lines.join("\n"),
  };
}

function changeLines(changes: Changes): string[] {
  if (changes.kind === "unknown") return [`Changes since the last prod deploy: unknown (${changes.reason}).`];
  if (changes.subjects.length === 0)
    return [`No commits since the last prod deploy (prod serves ${shortCommit(changes.prodCommit)}).`];
  return [
    `Changes since the last prod deploy (prod serves ${shortCommit(changes.prodCommit)}):`,
    ...changes.subjects.map((s) => `  - ${s}`),
    ...(changes.more ? ["  - … and older commits (git log shows them all)"] : []),
  ];
}

export function prodChangedNotice(input: {
  commit: string;
  images: Record<string, ImageSummary>;
  /** The commit prod served before this run changed it; undefined when this run did not see it. */
  previousCommit?: string;
  prodUrl: string;
}): Notice {
  const from = input.previousCommit
    ? `before: commit ${input.previousCommit}`
    : "before: not observed by this run (it did not deploy prod itself)";
  return {
    environment: "prod",
    subject: subjectLine(
      `prod changed: ${shortCommit(input.commit)}${input.previousCommit ? ` (was ${shortCommit(input.previousCommit)})` : ""}`,
    ),
    message: [
      `prod (${input.prodUrl}) now serves commit ${input.commit}`,
      from,
      "",
      "Images live in prod:",
      ...Object.entries(input.images).map(([app, image]) => `  ${app}: ${image.digest} (tag ${image.tag})`),
    ].join("\n"),
  };
}

export function stageFailedNotice(input: {
  stage: string;
  environment: EnvironmentName;
  /** Already redacted (redact.ts): the notice repeats it as it is. */
  error: string;
  commit?: string;
}): Notice {
  const error = input.error.length > ERROR_MAX ? `${input.error.slice(0, ERROR_MAX)}…` : input.error;
  return {
    environment: input.environment,
    subject: subjectLine(
      `pipeline failed: ${input.stage} (${input.environment})${input.commit ? ` at ${shortCommit(input.commit)}` : ""}`,
    ),
    message: [
      `The pipeline stage ${input.stage} failed${input.commit ? ` for commit ${input.commit}` : ""}.`,
      `Environment: ${input.environment}`,
      "",
      "Why:",
      error,
    ].join("\n"),
  };
}

/** SNS refuses subjects with line breaks, non-ASCII characters or more than 100 characters. */
export function subjectLine(text: string): string {
  const ascii = text
    .replace(/[\r\n\t]+/g, " ")
    .replace(/[^\x20-\x7e]/g, "?")
    .replace(/ {2,}/g, " ")
    .trim();
  return ascii.length > SUBJECT_MAX ? `${ascii.slice(0, SUBJECT_MAX - 3)}...` : ascii;
}
