import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { illegalParam } from "../protocol/errors.js";
import { guardedDownloader, refusalIn, refusalOf } from "./guarded-download.js";
import type { RecordingStore } from "./recording-store.js";

/** What Recorder and Player endpoints need from the server: the store and a guarded fetcher. */
export interface RecordingContext {
  store: RecordingStore;
  /** Downloads an http(s) URL a player was given, with the API's SSRF rules. */
  download(url: URL, file: string): Promise<void>;
}

const PLAYER_MAX_BYTES = 1024 ** 3;

/** The API's SSRF rules (guarded-download.ts), so a PlayerEndpoint can't reach our own network. */
export function guardedDownload(): RecordingContext["download"] {
  const download = guardedDownloader({ maxBytes: PLAYER_MAX_BYTES, timeoutMs: 5 * 60_000, maxRedirects: 5 });
  return async (url, file) => {
    try {
      await download(url, file);
    } catch (error) {
      await rm(file, { force: true });
      throw illegalParam(
        `uri can't be played: ${refusalIn(error)?.message ?? `fetching ${url.host} failed`}`,
      );
    }
  };
}

/** A local copy of what a player plays: the stored file, or a download of an http(s) URL. */
export async function openPlayerSource(
  context: RecordingContext,
  uri: string,
): Promise<{ file: string; done(): Promise<void> }> {
  if (context.store.owns(uri)) return context.store.open(uri);
  const file = path.join(tmpdir(), `player-${randomUUID()}`);
  await context.download(new URL(uri), file);
  return { file, done: () => rm(file, { force: true }) };
}

/** Checks a PlayerEndpoint uri when it is created: a stored recording or an http(s) URL. */
export function checkPlayerUri(context: RecordingContext, uri: string): void {
  if (context.store.owns(uri)) {
    // Resolving it checks the path stays inside the store (the file itself is read on play).
    context.store.target(uri);
    return;
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw illegalParam("uri must be a stored recording (file://, s3://) or an http(s) URL");
  }
  const refused = refusalOf(url);
  if (refused) throw illegalParam(`uri can't be played: ${refused}`);
}
