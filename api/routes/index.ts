/**
 * Every route module, in one list. Each module owns one aggregate (its schemas live beside its
 * handlers and feed the OpenAPI document).
 */
import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "../deps.js";
import { accessRoutes } from "./access.js";
import { agentConfigRoutes } from "./agent-config.js";
import { agentKeyRoutes } from "./agent-keys.js";
import { agentRoutes } from "./agents.js";
import { authRoutes } from "./auth.js";
import { companyRoutes } from "./companies.js";
import { healthRoutes } from "./health.js";
import { runRoutes } from "./runs.js";
import { runCallbackRoutes } from "./run-callbacks.js";
import { issueRoutes } from "./issues.js";
import { agentMeRoutes } from "./agents-me.js";
import { approvalRoutes } from "./approvals.js";
import { agentHireRoutes } from "./agent-hires.js";
import { goalRoutes } from "./goals.js";
import { projectRoutes } from "./projects.js";
import { orgRoutes } from "./org.js";
import { costRoutes } from "./costs.js";
import { budgetRoutes } from "./budgets.js";
import { dashboardRoutes } from "./dashboard.js";
import { secretRoutes } from "./secrets.js";
import { activityRoutes } from "./activity.js";
import { liveEventRoutes } from "./live-events.js";
import { adapterRoutes } from "./adapters.js";
import { llmRoutes } from "./llms.js";
import { skillRoutes } from "./skills.js";

export const ROUTE_MODULES: Array<(app: FastifyInstance, deps: ApiDeps) => void> = [
  healthRoutes,
  authRoutes,
  accessRoutes,
  companyRoutes,
  agentRoutes,
  agentKeyRoutes,
  agentConfigRoutes,
  runRoutes,
  runCallbackRoutes,
  issueRoutes,
  agentMeRoutes,
  approvalRoutes,
  agentHireRoutes,
  goalRoutes,
  projectRoutes,
  orgRoutes,
  costRoutes,
  budgetRoutes,
  dashboardRoutes,
  secretRoutes,
  activityRoutes,
  liveEventRoutes,
  adapterRoutes,
  llmRoutes,
  skillRoutes,
];
