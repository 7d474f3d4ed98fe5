/**
 * Run log line → one terminal line for `switchboard runs tail`-style output. Assistant deltas are
 * printed as they come (no newline handling: the CLI joins them); lifecycle notes only in debug mode,
 * raw event JSON only in debug mode.
 */
import { parseEventLine } from "../ui/parse-stdout.js";

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

export function formatStdoutEvent(line: string, debug: boolean): string | null {
  const trimmed = line.trim();
  if (!trimmed) return null;
  const event = parseEventLine(trimmed);
  if (!event) {
    if (trimmed.startsWith("[openclaw-gateway]")) return debug ? trimmed : null;
    return trimmed;
  }
  const { stream, data, runId } = event;
  if (stream === "assistant") return str(data.delta) ?? str(data.text) ?? (debug ? trimmed : null);
  if (stream === "tool") {
    const name = str(data.name) ?? "tool";
    const phase = str(data.phase);
    if (phase === "start") return `→ ${name}`;
    if (phase === "result" || phase === "end") return data.isError === true ? `✗ ${name} failed` : `✓ ${name}`;
    return debug ? trimmed : null;
  }
  if (stream === "lifecycle") {
    const phase = str(data.phase) ?? str(data.state) ?? "update";
    if (/^(error|failed)$/i.test(phase)) return `run ${runId} failed: ${str(data.error) ?? str(data.message) ?? "unknown error"}`;
    return debug ? `run ${runId} ${phase}` : null;
  }
  if (stream === "error") return `error: ${str(data.error) ?? str(data.message) ?? JSON.stringify(data)}`;
  return debug ? trimmed : null;
}
