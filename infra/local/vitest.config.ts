import { defineProject } from "vitest/config";

export default defineProject({ test: { name: "local-region", include: ["test/**/*.test.ts"] } });
