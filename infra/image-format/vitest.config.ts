import { defineProject } from "vitest/config";

export default defineProject({ test: { name: "image-format", include: ["test/**/*.test.ts"] } });
