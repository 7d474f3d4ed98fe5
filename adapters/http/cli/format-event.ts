/** cli part of `http`: log lines are printed as they are. */
import type { CliEventFormatter } from "../../types.js";

export const formatStdoutEvent: CliEventFormatter = (line) => (line.trim() ? line : null);
