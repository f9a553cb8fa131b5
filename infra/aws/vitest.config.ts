import { defineProject } from "vitest/config";

export default defineProject({ test: { name: "infra-aws", include: ["test/**/*.test.ts"] } });
