import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "../deps.js";

// Placeholder: filled in by the change that builds this route group.
export function issueRoutes(_app: FastifyInstance, _deps: ApiDeps): void {}
