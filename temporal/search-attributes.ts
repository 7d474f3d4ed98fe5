/** Registration of the search attributes workflow code sets (keys: workflows/search-attributes.ts). */
import type { Connection } from "@temporalio/client";
import { ALL_SEARCH_ATTRIBUTES } from "../workflows/search-attributes.js";

export { ALL_SEARCH_ATTRIBUTES } from "../workflows/search-attributes.js";

/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD */
const KEYWORD = 2;

/** `--search-attribute Name=Keyword` flags for `temporal server start-dev`. */
export function devServerSearchAttributeFlags(): string[] {
  return ALL_SEARCH_ATTRIBUTES.flatMap((k) => ["--search-attribute", `${k.name}=Keyword`]);
}

/**
 * Registers whichever attributes are missing. Workflows upsert them, and an unregistered one would
 * fail every workflow task, so start-up checks this and fails with instructions instead.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = ALL_SEARCH_ATTRIBUTES.map((k) => k.name).filter((name) => !(name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((n) => [n, KEYWORD])) });
  } catch (err) {
    throw new Error(
      `Temporal namespace "${namespace}" lacks the search attributes ${missing.join(", ")} and they could not be registered ` +
        `(${err instanceof Error ? err.message : String(err)}). Ask an operator to run \`npm run temporal:setup\` with admin rights.`,
    );
  }
  return missing;
}
