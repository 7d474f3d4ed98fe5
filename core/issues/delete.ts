/** Deleting an issue (board only): comments and labels go with it, children lose their parent. */
import type { Db } from "../../db/connection.js";
import { logActivity } from "../activity-log.js";
import { actorRef, type Actor } from "../auth/actor.js";
import { notFound } from "../errors.js";

export async function deleteIssue(db: Db, actor: Actor, issueId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const deleted = await trx.deleteFrom("issues").where("id", "=", issueId).returning(["id", "companyId", "identifier", "title"]).executeTakeFirst();
    if (!deleted) throw notFound("Issue not found");
    await logActivity(trx, {
      companyId: deleted.companyId,
      actor: actorRef(actor),
      action: "issue.deleted",
      entityType: "issue",
      entityId: deleted.id,
      details: { identifier: deleted.identifier, title: deleted.title },
    });
  });
}
