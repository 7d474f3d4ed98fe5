import type { Db } from "../connection.js";
import { LOCAL_BOARD_USER_ID } from "../../core/auth/actor.js";

/** local_trusted: the implicit board user is a real row (keys and authorship point at it). */
export async function ensureLocalBoardUser(db: Db): Promise<void> {
  await db
    .insertInto("users")
    .values({ id: LOCAL_BOARD_USER_ID, name: "Local board", email: "local-board@localhost" })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
  await db
    .insertInto("instance_user_roles")
    .values({ userId: LOCAL_BOARD_USER_ID, role: "instance_admin" })
    .onConflict((oc) => oc.columns(["userId", "role"]).doNothing())
    .execute();
}
