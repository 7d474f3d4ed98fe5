/** ui part of `http`: the run log holds the endpoint's answers and posted log lines, shown as they are. */
import type { StdoutLineParser } from "../../types.js";

export const parseStdoutLine: StdoutLineParser = (line, ts) => (line.trim() ? [{ kind: "stdout", ts, text: line }] : []);
