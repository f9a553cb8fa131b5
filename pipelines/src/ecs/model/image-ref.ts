// Container image references: `registry/repo:tag`, `repo@sha256:...`, and what ECR they live in.

export interface ImageRef {
  /** Registry host, with port when given (`123.dkr.ecr.eu-west-1.amazonaws.com`, `localhost:5000`). */
  registry?: string;
  /** Repository path inside the registry (`api-qa`, `library/nginx`). */
  repository: string;
  tag?: string;
  digest?: string;
}

export interface EcrLocation {
  registryId: string;
  region: string;
  repositoryName: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// <account>.dkr.ecr.<region>.amazonaws.com[.cn], or the local region's `.localhost[:port]`.
const ECR_HOST =
  /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|localhost)(?::\d+)?$/;

export function parseImageRef(image: string): ImageRef | undefined {
  if (!image || /\s/.test(image)) return undefined;
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  const firstSlash = rest.indexOf("/");
  const head = firstSlash >= 0 ? rest.slice(0, firstSlash) : "";
  const hasRegistry = firstSlash >= 0 && (head.includes(".") || head.includes(":") || head === "localhost");
  const registry = hasRegistry ? head : undefined;
  const repository = hasRegistry ? rest.slice(firstSlash + 1) : rest;
  if (!repository || !/^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/.test(repository)) return undefined;
  return { registry, repository, tag, digest };
}

export function formatImageRef(ref: ImageRef): string {
  const name = ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
  if (ref.digest) return `${name}@${ref.digest}`;
  return ref.tag ? `${name}:${ref.tag}` : name;
}

/** The image name without tag or digest. */
export function imageName(ref: ImageRef): string {
  return ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
}

export function ecrLocation(ref: ImageRef): EcrLocation | undefined {
  const match = ref.registry ? ECR_HOST.exec(ref.registry) : null;
  if (!match) return undefined;
  return { registryId: match[1]!, region: match[2]!, repositoryName: ref.repository };
}

/** `-t TAG`: the same image with another tag (and no digest). */
export function withTag(ref: ImageRef, tag: string): ImageRef {
  return { registry: ref.registry, repository: ref.repository, tag };
}

export function pinned(ref: ImageRef, digest: string): ImageRef {
  return { registry: ref.registry, repository: ref.repository, digest };
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}
