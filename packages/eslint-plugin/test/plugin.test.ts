/**
 * The plugin object: configs and rule lists agree, and `require()` (what FlatCompat does)
 * yields the plugin itself.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import plugin, { configs, rules, UNSAFE_SITE_RULES } from "../src/index.ts";

describe("plugin object", () => {
  it("names every rule the configs switch on", () => {
    for (const [name, config] of Object.entries(configs)) {
      for (const rule of Object.keys(config.rules ?? {})) {
        if (rule.startsWith("@asterism/")) expect(rules, `${name} uses ${rule}`).toHaveProperty([rule.slice("@asterism/".length)]);
      }
    }
  });

  it("switches noInlineConfig on for services only", () => {
    expect(configs.service.noInlineConfig).toBe(true);
    expect(configs.tcb.noInlineConfig).toBeUndefined();
  });

  it("lists unsafe-site rules that exist", () => {
    for (const rule of UNSAFE_SITE_RULES) expect(rules).toHaveProperty([rule]);
  });

  it("is what FlatCompat gets from require(): the plugin object, not a module namespace", () => {
    expect(plugin.rules).toBe(rules);
    const required = createRequire(import.meta.url)("../src/index.ts") as Record<string, unknown>;
    expect(Object.keys(required).sort()).toEqual(["configs", "meta", "rules"]);
    expect(Object.keys(required.rules as object)).toEqual(Object.keys(rules));
  });
});
