/**
 * cli part of `cursor`: one line of the Cursor Agent CLI's stream-json → one terminal line, for
 * `switchboard` commands that follow a run. Plain text; null for events not worth a line.
 * With `debug`, events it does not render are printed raw.
 */
import { parseStdoutLine } from "../ui/parse-stdout.js";

const MAX_LINE = 2000;
const clip = (s: string) => (s.length > MAX_LINE ? `${s.slice(0, MAX_LINE - 1)}…` : s);
const oneLine = (v: unknown) => clip(typeof v === "string" ? v : JSON.stringify(v) ?? "");

export function formatStdoutEvent(line: string, debug: boolean): string | null {
  const entries = parseStdoutLine(line, "");
  if (entries.length === 0) return debug && line.trim() ? `[raw] ${clip(line.trim())}` : null;
  const out = entries.map((e) => {
    switch (e.kind) {
      case "init":
        return `[cursor] session ${e.sessionId || "?"} · model ${e.model}`;
      case "user":
        return debug ? `[user] ${clip(e.text)}` : null;
      case "assistant":
        return e.text;
      case "thinking":
        return debug ? `[thinking] ${e.text}` : null;
      case "tool_call":
        return `[tool] ${e.name} ${oneLine(e.input)}`;
      case "tool_result":
        return `${e.isError ? "[tool error]" : "[tool done]"} ${e.toolName ?? e.toolUseId}${e.isError || debug ? `: ${oneLine(e.content)}` : ""}`;
      case "result": {
        const tokens = `${e.inputTokens} in, ${e.outputTokens} out, ${e.cachedTokens} cached`;
        return e.isError ? `[result: error] ${e.errors.join("; ")} (${tokens})` : `[result] ${e.subtype} (${tokens}${e.costUsd ? `, $${e.costUsd.toFixed(4)}` : ""})`;
      }
      case "stderr":
        return `[error] ${e.text}`;
      case "stdout":
        return e.text;
      default:
        return debug ? `[${e.kind}] ${"text" in e ? e.text : ""}` : null;
    }
  });
  const printable = out.filter((l): l is string => l !== null);
  return printable.length > 0 ? printable.join("\n") : null;
}
