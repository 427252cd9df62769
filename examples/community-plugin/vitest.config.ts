import { defineConfig } from "vitest/config";

// The package's own test config (it also keeps vitest from picking up a config further up).
export default defineConfig({ test: { include: ["test/**/*.test.ts"] } });
