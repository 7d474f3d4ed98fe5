/**
 * cli part of `process`: a plain process's output has no structure to decode, so each line is
 * printed as it is, in normal and debug mode alike.
 */
export function formatStdoutEvent(line: string, _debug: boolean): string | null {
  return typeof line === "string" ? line : null;
}
