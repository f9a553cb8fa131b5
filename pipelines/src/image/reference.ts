import { isDigest } from "@platform/image-format";
import { ImageError } from "./errors.js";

// ECR's own limits: repository names are lowercase path components; tags up to 300 characters.
const REPOSITORY_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,299}$/;

export function validateRepositoryName(name: string): string {
  if (name.length < 2 || name.length > 256 || !REPOSITORY_PATTERN.test(name)) {
    throw new ImageError(
      `"${name}" is not a valid repository name (2-256 lowercase letters, digits, and . _ - / separators)`,
    );
  }
  return name;
}

export function validateTag(tag: string): string {
  if (!TAG_PATTERN.test(tag)) {
    throw new ImageError(
      `"${tag}" is not a valid image tag (up to 300 letters, digits, _ . -, not starting with . or -)`,
    );
  }
  return tag;
}

/** An image in a repository, by tag or by digest. */
export type ImageRef = { repositoryName: string } & ({ tag: string } | { digest: string });

/**
 * Parses `repo:tag`, `repo@sha256:...`, or a full URI `<registry>/<repo>:<tag>` (the registry part,
 * anything up to the first `/` that contains a `.` or `:`, is dropped: the ECR client decides which
 * registry is asked).
 */
export function parseImageRef(text: string): ImageRef {
  let rest = text.trim();
  const firstSlash = rest.indexOf("/");
  if (firstSlash > 0 && /[.:]/.test(rest.slice(0, firstSlash))) rest = rest.slice(firstSlash + 1);
  const at = rest.indexOf("@");
  if (at >= 0) {
    const digest = rest.slice(at + 1);
    if (!isDigest(digest)) throw new ImageError(`"${text}": the digest must be sha256:<64 hex digits>`);
    return { repositoryName: validateRepositoryName(rest.slice(0, at)), digest };
  }
  const colon = rest.lastIndexOf(":");
  if (colon < 0)
    throw new ImageError(`"${text}" names no tag or digest (expected repo:tag or repo@sha256:...)`);
  return {
    repositoryName: validateRepositoryName(rest.slice(0, colon)),
    tag: validateTag(rest.slice(colon + 1)),
  };
}
