/**
 * `process` execute: runs the configured executable (argv, no shell) with every runtime variable a CLI
 * adapter gets (identity, run token, wake and workspace variables), the rendered prompt in a
 * run-private file (`$PAPERCLIP_PROMPT_FILE`) and, when asked, on stdin. What the process reports in
 * `$SWITCHBOARD_RESULT_FILE` (session, usage, cost) is read back after it exits.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AdapterExecutionContext, AdapterExecutionResult } from "../../types.js";
import { SpawnSetupError, runChildProcess } from "../../utils/child-process.js";
import { exitDescription, invalidConfigResult } from "../../utils/cli-run.js";
import { buildRunEnv, composeChildEnv, redactEnv, runCwd } from "../../utils/env.js";
import { renderRunPrompt } from "../../utils/template.js";
import { processConfigSchema, type ProcessConfig } from "../config.js";
import { readResultFile } from "./result-file.js";

export const PROCESS_TYPE = "process";

function storedSessionId(ctx: AdapterExecutionContext): string | null {
  const id = ctx.runtime.sessionParams?.sessionId;
  return typeof id === "string" && id ? id : null;
}

/** Variables only the process adapter sets: its own protocol files, the session and the task key. */
function processOnlyEnv(ctx: AdapterExecutionContext, files: { prompt: string; result: string }): Record<string, string> {
  const sessionId = storedSessionId(ctx);
  return {
    PAPERCLIP_PROMPT_FILE: files.prompt,
    SWITCHBOARD_RESULT_FILE: files.result,
    ...(sessionId ? { SWITCHBOARD_SESSION_ID: sessionId } : {}),
    ...(ctx.runtime.taskKey ? { SWITCHBOARD_TASK_KEY: ctx.runtime.taskKey } : {}),
  };
}

function promptStdin(config: ProcessConfig, prompt: string): string | undefined {
  return config.promptDelivery === "file" ? undefined : prompt;
}

export async function executeProcess(ctx: AdapterExecutionContext): Promise<AdapterExecutionResult> {
  const parsed = processConfigSchema.safeParse(ctx.config);
  if (!parsed.success) return invalidConfigResult(parsed.error);
  const config = parsed.data;
  const cwd = runCwd(ctx, config.cwd);
  const prompt = renderRunPrompt(ctx, config.promptTemplate);
  // A run-private directory (mode 0700) for the prompt and result files: nothing shared between runs or agents.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-run-"));
  const files = { prompt: path.join(scratch, "prompt.md"), result: path.join(scratch, "result.json") };
  try {
    fs.writeFileSync(files.prompt, prompt, { mode: 0o600 });
    const env = composeChildEnv(config.env, { ...buildRunEnv(ctx, cwd), ...processOnlyEnv(ctx, files) });
    await ctx.onMeta?.({
      adapterType: PROCESS_TYPE,
      command: config.command,
      cwd,
      commandArgs: config.args,
      commandNotes: [config.promptDelivery === "file" ? "prompt in $PAPERCLIP_PROMPT_FILE" : "prompt in $PAPERCLIP_PROMPT_FILE and on stdin"],
      env: redactEnv(env),
      prompt,
    });
    const stdin = promptStdin(config, prompt);
    const result = await runChildProcess(config.command, config.args, {
      cwd,
      env,
      timeoutSec: config.timeoutSec,
      graceSec: config.graceSec,
      onLog: ctx.onLog,
      ...(stdin !== undefined ? { stdin } : {}),
      ...(ctx.onSpawn ? { onSpawn: ctx.onSpawn } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const { reported, problem } = readResultFile(files.result);
    if (problem) await ctx.onLog("stderr", `[switchboard] ${problem}\n`);
    const base = { ...reported, signal: result.signal, resultJson: { stdout: result.stdoutExcerpt, stderr: result.stderrExcerpt } };
    if (result.timedOut) {
      return { ...base, exitCode: result.exitCode, timedOut: true, errorCode: "timeout", errorMessage: `Timed out after ${config.timeoutSec}s` };
    }
    if (result.exitCode !== 0) {
      return { ...base, exitCode: result.exitCode, timedOut: false, errorCode: "adapter_failed", errorMessage: `Process ${exitDescription(result)}` };
    }
    return { ...base, exitCode: 0, timedOut: false };
  } catch (err) {
    if (err instanceof SpawnSetupError) {
      return { exitCode: null, signal: null, timedOut: false, errorCode: err.code, errorMessage: err.message };
    }
    throw err;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
