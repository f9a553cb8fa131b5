import { type Location, parseLocation } from "../model/uris.js";
import { FetchFailed, FetchRefused, type GuardedFetcher } from "./guarded-fetch.js";
import { type ObjectStore, userKey } from "./objects.js";

// A job's inputs and outputs, wherever they are: the user's own objects, an allowed bucket, or (for
// inputs) a public http(s) URL.

export class InputMissing extends Error {}

export class JobFiles {
  constructor(
    private readonly objects: ObjectStore,
    private readonly bucket: (name: string) => ObjectStore,
    private readonly fetcher: GuardedFetcher,
    readonly allowedBuckets: readonly string[],
  ) {}

  input(uri: string, what = "input"): Location {
    return parseLocation(uri, { allowedBuckets: this.allowedBuckets, allowHttp: true, prefix: false, what });
  }

  outputPrefix(uri: string): Location {
    return parseLocation(uri, {
      allowedBuckets: this.allowedBuckets,
      allowHttp: false,
      prefix: true,
      what: "output",
    });
  }

  outputFile(uri: string): Location {
    return parseLocation(uri, {
      allowedBuckets: this.allowedBuckets,
      allowHttp: false,
      prefix: false,
      what: "output",
    });
  }

  /** At submission: the input exists (and a URL, with its redirects, is allowed and answers). */
  async checkInput(uri: string, userid: string, what = "input"): Promise<void> {
    const location = this.input(uri, what);
    if (location.scheme === "http") return this.fetcher.preflight(location.url);
    const info =
      location.scheme === "objects"
        ? await this.objects.info(userKey(userid, location.key))
        : await this.bucket(location.bucket).info(location.key);
    if (!info) throw new InputMissing(`${what} ${uri} does not exist`);
  }

  async fetch(uri: string, userid: string, destination: string, signal?: AbortSignal): Promise<number> {
    const location = this.input(uri);
    try {
      if (location.scheme === "http") return await this.fetcher.download(location.url, destination, signal);
      if (location.scheme === "objects")
        return await this.objects.download(userKey(userid, location.key), destination);
      return await this.bucket(location.bucket).download(location.key, destination);
    } catch (error) {
      if (error instanceof FetchFailed || error instanceof FetchRefused) throw error;
      if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as Error).name === "NoSuchKey")
        throw new InputMissing(`input ${uri} does not exist`);
      throw error;
    }
  }

  async store(uri: string, userid: string, path: string): Promise<number> {
    const location = this.outputFile(uri);
    if (location.scheme === "objects") return this.objects.putFile(userKey(userid, location.key), path);
    if (location.scheme === "s3") return this.bucket(location.bucket).putFile(location.key, path);
    throw new Error(`cannot write to ${uri}`);
  }

  get userObjects(): ObjectStore {
    return this.objects;
  }
}
