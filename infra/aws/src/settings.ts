import type * as pulumi from "@pulumi/pulumi";

/** Non-secret knobs from Pulumi config (`platform:*`); everything else comes from the environment spec. */
export interface StackSettings {
  /** The environment spec, relative to the repository root; default env/platform.yaml. */
  specFile?: string;
  /** Fully qualified name of the shared stack the environment stacks read. */
  sharedStack: string;
  /** Image tag of the first task definition; the deploy tool owns every later revision. */
  bootstrapImageTag: string;
  /** Tagged images each ECR repository keeps. */
  keepImages: number;
  /** The API's object key prefix in its bucket. */
  apiObjectPrefix: string;
  /** `owner/repo` whose GitHub Actions may deploy; without it no CI role (nor OIDC provider) is made. */
  githubRepository?: string;
  /** The account already has GitHub's OIDC provider (one per account): the shared stack won't create it. */
  githubOidcProviderExists: boolean;
}

export const DEFAULT_SETTINGS: Omit<StackSettings, "sharedStack"> = {
  bootstrapImageTag: "bootstrap",
  keepImages: 30,
  apiObjectPrefix: "objects/",
  githubOidcProviderExists: false,
};

export function readSettings(config: pulumi.Config, organization: string, project: string): StackSettings {
  const keepImages = config.getNumber("keepImages", { min: 2, max: 1000 }) ?? DEFAULT_SETTINGS.keepImages;
  return {
    specFile: config.get("specFile"),
    sharedStack: config.get("sharedStack") ?? `${organization}/${project}/shared`,
    bootstrapImageTag:
      config.get("bootstrapImageTag", { pattern: /^[\w][\w.-]{0,127}$/ }) ??
      DEFAULT_SETTINGS.bootstrapImageTag,
    keepImages,
    apiObjectPrefix:
      config.get("apiObjectPrefix", { pattern: /^[\w./-]*\/$/ }) ?? DEFAULT_SETTINGS.apiObjectPrefix,
    githubRepository: config.get("githubRepository", { pattern: /^[\w.-]+\/[\w.-]+$/ }),
    githubOidcProviderExists: config.getBoolean("githubOidcProviderExists") ?? false,
  };
}
