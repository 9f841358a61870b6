// What an HR frontend writes against the generated types: if the service's contract changes in a way
// that breaks it (a renamed field, a removed route, a changed body), `tsc` fails in the test suite.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Job = components["schemas"]["JobOut"];
export type Match = components["schemas"]["MatchOut"];
export type ApiError = components["schemas"]["ErrorResponse"];

export function jobmatch(baseUrl: string, apiKey?: string) {
  return createClient<paths>({ baseUrl, headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {} });
}

export async function rankCandidates(api: ReturnType<typeof jobmatch>, title: string, skills: string[]) {
  const created = await api.POST("/v1/jobs", {
    body: { title, description: "", skills, external_id: "J-1", location: { country: "DE" }, languages: { de: "B2" } },
  });
  if (created.error) throw new Error((created.error as ApiError).error.message);
  const job: Job = created.data;
  const ranked = await api.POST("/v1/jobs/{job_id}/matches", {
    params: { path: { job_id: job.id } },
    body: { limit: 10, count: true, blind: true, filters: { years_experience: { gte: 2 }, skills: { any: skills } } },
  });
  if (ranked.error) throw new Error(ranked.error.error.message);
  const best: Match | undefined = ranked.data.matches[0];
  const why = best?.explanation?.breakdown ?? {};
  return {
    total: ranked.data.total,
    noGoodMatch: ranked.data.no_good_match,
    best: best && { id: best.id, score: best.score, confidence: best.confidence, skills: Object.keys(why) },
  };
}

export async function followImport(api: ReturnType<typeof jobmatch>, file: Blob) {
  const started = await api.POST("/v1/imports", {
    body: { file: file as unknown as string },
    bodySerializer: (body) => {
      const form = new FormData();
      form.append("file", body.file as unknown as Blob);
      return form;
    },
  });
  if (started.error) throw new Error(started.error.error.message);
  const state = await api.GET("/v1/imports/{import_id}", { params: { path: { import_id: started.data.id } } });
  const errors = await api.GET("/v1/imports/{import_id}/errors", {
    params: { path: { import_id: started.data.id }, query: { limit: 10, offset: 0 } },
  });
  return { status: state.data?.status, stored: state.data?.stored, firstErrors: errors.data?.items.map((e) => e.row) };
}

export async function forget(api: ReturnType<typeof jobmatch>, externalId: string) {
  const held = await api.GET("/v1/privacy", { params: { query: { external_id: externalId } } });
  await api.DELETE("/v1/candidates", { params: { query: { external_id: externalId } } });
  return held.data;
}
