/**
 * Reading a CLI's line-per-event output while it streams, shared by the stream parsers of the CLI
 * adapters. Chunks split lines anywhere, so the splitter keeps the partial last line; a line longer
 * than `maxLineChars` is not an event worth reading and is dropped whole instead of being buffered
 * forever. Agent output is untrusted: `parseJsonObject` never throws and accepts only an object.
 * Pure (no Node built-ins), so ui parsers may use it too.
 */

/** A line longer than this is dropped: no event we read is that long, and it would cost memory to keep. */
export const MAX_LINE_CHARS = 1024 * 1024;

export class LineSplitter {
  private pending = "";
  /** Inside an overlong line: drop everything up to its newline. */
  private skipping = false;

  /**
   * @param onLine called with each non-blank line, trimmed
   * @param onOverflow called once per dropped overlong line
   */
  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: () => void = () => undefined,
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {}

  push(chunk: string): void {
    this.pending += chunk;
    let nl: number;
    while ((nl = this.pending.indexOf("\n")) >= 0) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      if (this.skipping) this.skipping = false;
      else this.emit(line);
    }
    if (this.pending.length > this.maxLineChars) {
      this.pending = "";
      this.skipping = true;
      this.onOverflow();
    }
  }

  /** Flushes a last line that has no trailing newline. */
  end(): void {
    if (!this.skipping) this.emit(this.pending);
    this.pending = "";
    this.skipping = false;
  }

  private emit(raw: string): void {
    const line = raw.trim();
    if (line) this.onLine(line);
  }
}

export function asRecord(v: unknown): Record<string, unknown> | null {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** One line as a JSON object, or null when it is not one (a warning, a crash trace, an array). */
export function parseJsonObject(line: string): Record<string, unknown> | null {
  const text = line.trim();
  if (!text.startsWith("{")) return null;
  try {
    return asRecord(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * Lines of a CLI that prints one `{"type": …}` object per event: each event goes to `onEvent`, and
 * anything else (a warning, a crash trace, an overlong line) to `onOther`, to be counted.
 */
export function jsonEventLines(onEvent: (type: string, event: Record<string, unknown>) => void, onOther: () => void): LineSplitter {
  return new LineSplitter((line) => {
    const event = parseJsonObject(line);
    if (event && typeof event.type === "string") onEvent(event.type, event);
    else onOther();
  }, onOther);
}
