#!/usr/bin/env node
import { CreateRepositoryCommand, DeleteRepositoryCommand } from "@aws-sdk/client-ecr";
import { APP_NAMES } from "@platform/env";
import { buildAppImage, formatBytes } from "./build-app.js";
import { promoteImage } from "./promote.js";
import { pushImage } from "./push.js";
import { loadCheckout } from "./repo-root.js";
import { checkoutTarget, describeTarget, ecrClient } from "./target.js";

// Benchmark: build each app image (twice: the second shows the reproducible digest), push it cold
// to a scratch repository of the target registry, push it again (every blob already there), and
// promote it to a second scratch repository. Needs a running local region (npm start), or AWS.
//   node pipelines/dist/src/image/bench.js

const ms = (started: number) => `${Date.now() - started} ms`;

async function main(): Promise<void> {
  const checkout = loadCheckout();
  const { repoRoot } = checkout;
  const target = checkoutTarget(undefined, checkout);
  const ecr = ecrClient(target);
  const suffix = Date.now().toString(36);
  console.log(`target: ${describeTarget(target)}`);
  console.log("| app | build | rebuild same digest | layer | cold push | re-push | promote |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const app of APP_NAMES) {
    const from = `bench-${app}-qa-${suffix}`;
    const to = `bench-${app}-prod-${suffix}`;
    for (const repositoryName of [from, to])
      await ecr.send(new CreateRepositoryCommand({ repositoryName, imageTagMutability: "IMMUTABLE" }));
    try {
      const buildTime = new Date();
      let started = Date.now();
      const built = await buildAppImage({ repoRoot, app, buildTime });
      const build = ms(started);
      const again = await buildAppImage({ repoRoot, app, buildTime, revision: built.revision });
      const same = again.image.manifestDigest === built.image.manifestDigest ? "yes" : "NO";
      started = Date.now();
      await pushImage(ecr, from, "bench", built.image);
      const cold = ms(started);
      started = Date.now();
      await pushImage(ecr, from, "bench", built.image);
      const warm = ms(started);
      started = Date.now();
      const promoted = await promoteImage(ecr, {
        from: { repositoryName: from, tag: "bench" },
        to: { repositoryName: to, tag: "bench" },
      });
      const promote = `${ms(started)} (${promoted.copiedBlobs} blobs copied)`;
      console.log(
        `| ${app} | ${build} | ${same} | ${formatBytes(built.image.layers[0]!.size)} | ${cold} | ${warm} | ${promote} |`,
      );
    } finally {
      for (const repositoryName of [from, to])
        await ecr.send(new DeleteRepositoryCommand({ repositoryName, force: true }));
    }
  }
}

main().catch((error: Error) => {
  console.error(`bench: ${error.message}`);
  process.exitCode = 1;
});
