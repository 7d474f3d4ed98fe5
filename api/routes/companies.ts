import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { notFound } from "../../core/errors.js";
import { getCompany, insertCompany, listCompanies } from "../../db/queries/companies.js";
import type { ApiDeps } from "../deps.js";
import { idParam, parseOrThrow } from "../validation.js";

export const createCompanySchema = z
  .object({
    name: z.string().trim().min(1, "name is required").max(200),
    description: z.string().max(10_000).nullish(),
    budgetMonthlyCents: z.number().int().min(0).default(0),
    requireBoardApprovalForNewAgents: z.boolean().default(false),
    brandColor: z.string().max(32).nullish(),
  })
  .strict();

const companyId = idParam("companyId", "Company not found");

export function companyRoutes(app: FastifyInstance, { db }: ApiDeps): void {
  app.get("/api/companies", async () => listCompanies(db));

  app.post("/api/companies", async (req, reply) => {
    const body = parseOrThrow(createCompanySchema, req.body ?? {});
    const company = await insertCompany(db, {
      name: body.name,
      description: body.description ?? null,
      budgetMonthlyCents: body.budgetMonthlyCents,
      requireBoardApprovalForNewAgents: body.requireBoardApprovalForNewAgents,
      brandColor: body.brandColor ?? null,
    });
    return reply.status(201).send(company);
  });

  app.get("/api/companies/:companyId", async (req) => {
    const company = await getCompany(db, companyId(req.params));
    if (!company) throw notFound("Company not found");
    return company;
  });
}
