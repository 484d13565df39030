import { mintToken } from "./auth.ts";
import { deepMerge } from "./objects.ts";
import { atLeast, nextId, now, type Actor, type Permission, type RepoState } from "./state.ts";
import { fail, type Handler, type RestRequest, type RestResponse, type World } from "./world.ts";

/** The repository of a request's path, if the actor may see it (GitHub answers 404 otherwise). */
export function repoFor(world: World, request: RestRequest, need: Permission = "read"): RepoState | RestResponse {
  const repo = world.state.findRepo(request.params.owner ?? "", request.params.repo ?? "");
  if (!request.actor) return fail(401, "Requires authentication");
  if (!repo || world.state.permissionOf(request.actor, repo) === "none") return fail(404, "Not Found");
  if (!atLeast(world.state.permissionOf(request.actor, repo), need))
    return fail(
      403,
      `Resource not accessible by ${request.actor.kind === "installation" ? "integration" : "personal access token"}`,
    );
  return repo;
}

export function isResponse(value: unknown): value is RestResponse {
  return (
    typeof value === "object" &&
    value !== null &&
    "status" in value &&
    typeof (value as RestResponse).status === "number"
  );
}

function permissionFlags(permission: Permission): {
  admin: boolean;
  maintain: boolean;
  push: boolean;
  triage: boolean;
  pull: boolean;
} {
  return {
    admin: permission === "admin",
    maintain: permission === "admin",
    push: atLeast(permission, "write"),
    triage: atLeast(permission, "write"),
    pull: atLeast(permission, "read"),
  };
}

/** Pages a list the way GitHub does (`per_page`, `page`, and a Link header to the next page). */
export function paged(world: World, request: RestRequest, path: string, items: unknown[]): RestResponse {
  const perPage = Math.min(Number(request.query.get("per_page") ?? 30), 100);
  const page = Number(request.query.get("page") ?? 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (page * perPage < items.length) {
    const next = new URLSearchParams(request.query);
    next.set("page", String(page + 1));
    next.set("per_page", String(perPage));
    headers.link = `<${world.render.apiUrl}${path}?${next.toString()}>; rel="next"`;
  }
  return { status: 200, body: slice, headers };
}

function requireApp(actor: Actor | null): RestResponse | null {
  if (actor?.kind !== "app")
    return fail(401, "A JSON web token could not be decoded", {
      message: "This endpoint requires a JWT (GitHub App authentication)",
    });
  return null;
}

export function repoHandlers(world: World): Record<string, Handler> {
  const { state, render } = world;
  return {
    "users/get-authenticated": ({ actor }) => {
      if (actor?.kind !== "user") return fail(403, "Resource not accessible by integration");
      const user = render.user(actor.login);
      return {
        status: 200,
        body: deepMerge(render.template("private-user"), { ...user, name: actor.login, email: null }),
      };
    },

    "apps/get-authenticated": ({ actor }) => {
      const refused = requireApp(actor);
      if (refused) return refused;
      const app = state.app;
      if (!app) return fail(404, "Not Found");
      return {
        status: 200,
        body: deepMerge(render.template("integration"), {
          id: app.id,
          slug: app.slug,
          name: app.slug,
          html_url: `${render.webUrl}/apps/${app.slug}`,
        }),
      };
    },

    "apps/create-installation-access-token": ({ actor, params }) => {
      const refused = requireApp(actor);
      if (refused) return refused;
      const app = state.app;
      if (!app || Number(params.installation_id) !== app.installationId) return fail(404, "Not Found");
      const token = mintToken("ghs");
      const expiresAt = Date.now() + app.tokenLifetimeMs;
      state.tokens.set(token, { kind: "installation", installationId: app.installationId, expiresAt, revoked: false });
      app.tokensMinted += 1;
      return {
        status: 201,
        body: deepMerge(render.template("installation-token"), {
          token,
          expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
          permissions: {
            contents: "write",
            issues: "write",
            pull_requests: "write",
            checks: "write",
            statuses: "write",
            metadata: "read",
          },
          repository_selection: "selected",
          repositories: [...app.repos].map((name) => render.repository(state.repo(name))),
        }),
      };
    },

    "repos/get": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const permission = state.permissionOf(request.actor as Actor, repo);
      return { status: 200, body: render.repository(repo, permissionFlags(permission)) };
    },

    "repos/get-collaborator-permission-level": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const login = request.params.username ?? "";
      if (!state.users.has(login)) return fail(404, `${login} is not a user`);
      const permission = login === repo.owner ? "admin" : (repo.collaborators.get(login) ?? "none");
      return {
        status: 200,
        body: {
          permission,
          role_name: permission === "none" ? "none" : permission,
          user: { ...render.user(login), permissions: permissionFlags(permission), role_name: permission },
        },
      };
    },

    "repos/list-webhooks": (request) => {
      const repo = repoFor(world, request, "admin");
      if (isResponse(repo)) return repo;
      return paged(
        world,
        request,
        `/repos/${repo.fullName}/hooks`,
        repo.hooks.map((h) => render.hook(repo, h)),
      );
    },

    "repos/create-webhook": (request) => {
      const repo = repoFor(world, request, "admin");
      if (isResponse(repo)) return repo;
      const config = request.body.config as { url?: string; secret?: string } | undefined;
      if (!config?.url)
        return fail(422, "Validation Failed", {
          errors: [{ resource: "Hook", code: "custom", message: "url is required" }],
        });
      const hook = {
        id: nextId(),
        url: config.url,
        secret: config.secret ?? "",
        events: (request.body.events as string[] | undefined) ?? ["push"],
        active: request.body.active !== false,
        createdAt: now(),
      };
      repo.hooks.push(hook);
      return { status: 201, body: render.hook(repo, hook) };
    },
  };
}
