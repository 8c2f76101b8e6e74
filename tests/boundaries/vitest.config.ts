// The first typed lint of a run builds the TypeScript project service for the repository,
// which takes seconds on a busy machine: give the planted-violation tests room for it.
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { testTimeout: 60_000 } });
