/**
 * The adapters that ship with Switchboard, keyed by `agents.adapter_type`. One line per adapter;
 * external packages are added at run time by the registry (adapters/registry.ts).
 */
import { claudeLocalAdapter } from "./claude-local/index.js";
import { codexLocalAdapter } from "./codex-local/index.js";
import { processAdapter } from "./process/index.js";
import { httpAdapter } from "./http/index.js";
import { geminiLocalAdapter } from "./gemini-local/index.js";
import { opencodeLocalAdapter } from "./opencode-local/index.js";
import { piLocalAdapter } from "./pi-local/index.js";
import { openclawGatewayAdapter } from "./openclaw-gateway/index.js";
import { cursorAdapter } from "./cursor/index.js";
import { hermesLocalAdapter } from "./hermes-local/index.js";
import type { BuiltinAdapter } from "./types.js";

export const BUILTIN_ADAPTERS: readonly BuiltinAdapter[] = [
  processAdapter,
  httpAdapter,
  claudeLocalAdapter,
  codexLocalAdapter,
  geminiLocalAdapter,
  opencodeLocalAdapter,
  cursorAdapter,
  piLocalAdapter,
  openclawGatewayAdapter,
  hermesLocalAdapter,
];
