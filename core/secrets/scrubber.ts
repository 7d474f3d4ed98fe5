/**
 * Keeps a run's resolved secret values out of everything the run leaves behind: run-log chunks, the
 * outcome stored on the run row and returned to Temporal (excerpts, error text, result JSON).
 *
 * Output arrives in chunks, and a value can straddle two of them ("…sk-12" then "34…"). The stream
 * scrubber therefore holds back the end of a chunk while it could still be the start of a value and
 * joins it to the next chunk of the same stream; only at the end of the stream is a held tail
 * released (it is then a fragment the process really ended on, not a whole value).
 */
export const REDACTED = "***REDACTED***";

/** Leading fragments shorter than this are too likely to be ordinary text to mask. */
const MIN_FRAGMENT = 4;

export class SecretScrubber {
  /** Longest first, so a value that contains another is masked whole. */
  private readonly values: string[];

  constructor(values: Iterable<string>) {
    this.values = [...new Set([...values].filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
  }

  static readonly none = new SecretScrubber([]);

  get active(): boolean {
    return this.values.length > 0;
  }

  /** Every whole occurrence of a value is replaced by the marker. */
  scrub(text: string): string {
    let out = text;
    for (const value of this.values) {
      if (out.includes(value)) out = out.split(value).join(REDACTED);
    }
    return out;
  }

  /**
   * For text that may be a tail cut from longer output (stdout/stderr excerpts): also masks a leading
   * fragment that is the end of a value whose start was cut off.
   */
  scrubExcerpt(text: string): string {
    let out = this.scrub(text);
    for (const value of this.values) {
      for (let len = value.length - 1; len >= MIN_FRAGMENT; len--) {
        if (out.startsWith(value.slice(value.length - len))) {
          out = REDACTED + out.slice(len);
          break;
        }
      }
    }
    return out;
  }

  /** Strings anywhere inside a JSON-like value (objects, arrays) are scrubbed as excerpts. */
  scrubDeep<T>(value: T): T {
    if (!this.active) return value;
    return this.deep(value, 0) as T;
  }

  private deep(value: unknown, depth: number): unknown {
    if (typeof value === "string") return this.scrubExcerpt(value);
    if (depth > 32 || value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((v) => this.deep(v, depth + 1));
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [this.scrub(k), this.deep(v, depth + 1)]));
  }

  /** Length of the longest end of `text` that is a proper prefix of some value (0 when none). */
  pendingPrefixLength(text: string): number {
    let best = 0;
    for (const value of this.values) {
      if (value.length < 2) continue;
      const first = value[0]!;
      // Only starts within the last (length - 1) characters can be a proper prefix.
      let i = text.indexOf(first, Math.max(0, text.length - (value.length - 1)));
      while (i !== -1) {
        const tail = text.length - i;
        if (tail <= best) break;
        if (value.startsWith(text.slice(i))) {
          best = tail;
          break;
        }
        i = text.indexOf(first, i + 1);
      }
    }
    return best;
  }

  stream(): StreamScrubber {
    return new StreamScrubber(this);
  }
}

/** One output stream (stdout or stderr) of one run. */
export class StreamScrubber {
  private held = "";

  constructor(private readonly scrubber: SecretScrubber) {}

  /** The text that is safe to store now; a possible start of a value is kept for the next chunk. */
  push(chunk: string): string {
    const text = this.scrubber.scrub(this.held + chunk);
    const hold = this.scrubber.pendingPrefixLength(text);
    this.held = text.slice(text.length - hold);
    return text.slice(0, text.length - hold);
  }

  /** The stream ended: whatever is held is not a whole value. */
  end(): string {
    const rest = this.held;
    this.held = "";
    return rest;
  }
}
