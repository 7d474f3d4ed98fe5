/**
 * Budget windows. There is no reset job: "this month" is always recomputed from the ledger for the
 * current UTC calendar month, so a new month simply starts counting from zero.
 */
export type BudgetWindowKind = "calendar_month_utc" | "lifetime";
export const BUDGET_WINDOW_KINDS = ["calendar_month_utc", "lifetime"] as const;

export interface BudgetWindow {
  /** Inclusive. */
  start: Date;
  /** Exclusive. */
  end: Date;
}

export function monthWindowUtc(now: Date = new Date()): BudgetWindow {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
}

const LIFETIME: BudgetWindow = { start: new Date(Date.UTC(1970, 0, 1)), end: new Date(Date.UTC(9999, 0, 1)) };

export function windowOf(kind: string, now: Date = new Date()): BudgetWindow {
  return kind === "lifetime" ? LIFETIME : monthWindowUtc(now);
}

/** The spend at which a policy warns: ceil(amount × warnPercent / 100). */
export function softThreshold(amount: number, warnPercent: number): number {
  return Math.ceil((amount * warnPercent) / 100);
}

export type BudgetStatus = "ok" | "warning" | "exceeded";

export function budgetStatus(observed: number, amount: number, warnPercent: number): BudgetStatus {
  if (amount <= 0) return "ok";
  if (observed >= amount) return "exceeded";
  if (observed >= softThreshold(amount, warnPercent)) return "warning";
  return "ok";
}

export function utilizationPercent(spent: number, budget: number): number {
  return budget > 0 ? Number(((spent / budget) * 100).toFixed(2)) : 0;
}
