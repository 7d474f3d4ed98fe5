/**
 * cli part of `opencode_local`: one line of `opencode run --format json` → one terminal line, for
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
      case "assistant":
        return e.text;
      case "thinking":
        return `[thinking] ${e.text}`;
      case "tool_call":
        return `[tool] ${e.name} ${oneLine(e.input)}`;
      case "tool_result":
        return `${e.isError ? "[tool error]" : "[tool done]"} ${e.toolName ?? e.toolUseId}: ${oneLine(e.content)}`;
      case "system":
        return debug || e.text.startsWith("step finished") ? `[opencode] ${e.text}` : null;
      case "stderr":
        return `[error] ${e.text}`;
      case "stdout":
        return e.text;
      default:
        return debug ? `[${e.kind}]` : null;
    }
  });
  const printable = out.filter((l): l is string => l !== null);
  return printable.length > 0 ? printable.join("\n") : null;
}
