import { defineProject } from "vitest/config";

export default defineProject({ test: { name: "media-server", include: ["test/**/*.test.ts"] } });
