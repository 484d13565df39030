import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsPlugin from "ajv-formats";

/** Which of GitHub's published REST descriptions requests are checked against. */
export type Description = "api.github.com" | "ghes-3.19";

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: unknown;
}
interface Operation {
  operationId: string;
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: unknown }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { parameters: Record<string, Parameter>; examples: Record<string, { value: unknown }> };
}

export interface MatchedOperation {
  operationId: string;
  /** The description's path template, e.g. /repos/{owner}/{repo}/issues/{issue_number}. */
  template: string;
  params: Record<string, string>;
}

export type CheckResult = { ok: true; operation: MatchedOperation } | { ok: false; problem: string };

const require = createRequire(import.meta.url);
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;
const loaded = new Map<Description, OpenApiCheck>();

/**
 * Turns the description's OpenAPI 3.0 dialect into the JSON Schema ajv reads: `nullable: true`
 * becomes a null alternative, and local `#/components/...` references are rebased so they
 * resolve inside the schema registered as `github`.
 */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "nullable") continue;
    out[key] =
      key === "$ref" && typeof value === "string" && value.startsWith("#/") ? `github${value}` : toJsonSchema(value);
  }
  if ((schema as { nullable?: boolean }).nullable !== true) return out;
  if (typeof out.type === "string" && !out.enum) return { ...out, type: [out.type, "null"] };
  return { anyOf: [out, { type: "null" }] };
}

function templateRegex(template: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template
    .split("/")
    .map((part) => {
      const m = /^\{(.+)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(m[1] as string);
      return "([^/]+)";
    })
    .join("/");
  return { regex: new RegExp(`^${source}$`), names };
}

/** A query value as the description's schema types it (query strings carry only text). */
function coerceQuery(value: string, schema: unknown): unknown {
  const type = (schema as { type?: string } | undefined)?.type;
  if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
  return value;
}

/**
 * Checks requests against GitHub's official OpenAPI description (npm `@octokit/openapi`): the
 * method and path must be an operation of the description, path and query parameters must be
 * declared there and match their schemas, required ones present, and a JSON body must validate
 * against the operation's request-body schema. Responses the double sends are checked too, so
 * the double cannot drift from what GitHub documents.
 */
export class OpenApiCheck {
  private readonly ajv: Ajv;
  private readonly routes: { template: string; regex: RegExp; names: string[]; methods: Record<string, Operation> }[];
  private readonly compiled = new Map<string, ValidateFunction>();

  private constructor(readonly spec: Spec) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    // GitHub's own format for `owner/name`.
    this.ajv.addFormat("repo.nwo", /^[^/]+\/[^/]+$/);
    this.ajv.addSchema({ $id: "github", components: toJsonSchema(spec.components) }, "github");
    this.routes = Object.entries(spec.paths).map(([template, methods]) => ({
      template,
      ...templateRegex(template),
      methods,
    }));
    // Literal segments beat parameters: /repos/{owner}/{repo}/pulls/comments before .../pulls/{pull_number}.
    this.routes.sort((a, b) => a.names.length - b.names.length);
  }

  static load(description: Description): OpenApiCheck {
    let check = loaded.get(description);
    if (!check) {
      check = new OpenApiCheck(require(`@octokit/openapi/generated/${description}.json`) as Spec);
      loaded.set(description, check);
    }
    return check;
  }

  /** An example object from the description (`components/examples`), deep-copied. */
  example<T>(name: string): T {
    const found = this.spec.components.examples[name];
    if (!found) throw new Error(`the description has no example named ${name}`);
    return structuredClone(found.value) as T;
  }

  private validator(key: string, schema: unknown): ValidateFunction {
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = this.ajv.compile(toJsonSchema(schema) as object);
      this.compiled.set(key, fn);
    }
    return fn;
  }

  private parameter(p: Parameter | { $ref: string }): Parameter {
    if ("$ref" in p) {
      const name = p.$ref.replace("#/components/parameters/", "");
      const found = this.spec.components.parameters[name];
      if (!found) throw new Error(`unknown parameter reference ${p.$ref}`);
      return found;
    }
    return p;
  }

  private match(method: string, path: string): { operation: Operation; matched: MatchedOperation } | string {
    let pathKnown = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      pathKnown = true;
      const operation = route.methods[method.toLowerCase()];
      if (!operation) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] as string)));
      return { operation, matched: { operationId: operation.operationId, template: route.template, params } };
    }
    return pathKnown
      ? `${method} is not an operation of ${path} in GitHub's REST description`
      : `${path} is not a path of GitHub's REST description`;
  }

  private checkParameters(operation: Operation, matched: MatchedOperation, query: URLSearchParams): string | null {
    const declared = (operation.parameters ?? []).map((p) => this.parameter(p));
    for (const p of declared) {
      const value = p.in === "path" ? matched.params[p.name] : p.in === "query" ? query.get(p.name) : undefined;
      if (value === undefined || value === null) {
        if (p.required && p.in !== "header") return `required ${p.in} parameter '${p.name}' is missing`;
        continue;
      }
      if (p.schema && (p.in === "path" || p.in === "query")) {
        const validate = this.validator(`${matched.operationId}:param:${p.name}`, p.schema);
        if (!validate(coerceQuery(value, p.schema)))
          return `${p.in} parameter '${p.name}'=${JSON.stringify(value)}: ${this.ajv.errorsText(validate.errors)}`;
      }
    }
    const queryNames = new Set(declared.filter((p) => p.in === "query").map((p) => p.name));
    for (const name of query.keys()) {
      if (!queryNames.has(name)) return `query parameter '${name}' is not declared for ${matched.operationId}`;
    }
    return null;
  }

  private checkBody(operation: Operation, matched: MatchedOperation, body: string, contentType: string): string | null {
    const requestBody = operation.requestBody;
    if (!requestBody) return body.trim() === "" ? null : `${matched.operationId} takes no request body`;
    if (body.trim() === "") return requestBody.required ? `${matched.operationId} requires a request body` : null;
    const schema = requestBody.content["application/json"]?.schema;
    if (!schema) return `${matched.operationId} does not take a JSON body`;
    if (!/application\/json/.test(contentType))
      return `a JSON body must be sent as application/json (got ${contentType})`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return "the request body is not valid JSON";
    }
    const validate = this.validator(`${matched.operationId}:body`, schema);
    return validate(parsed) ? null : `body: ${this.ajv.errorsText(validate.errors)}`;
  }

  /** Checks one request; `path` is relative to the API root (no /api/v3 prefix). */
  checkRequest(input: {
    method: string;
    path: string;
    query: URLSearchParams;
    body: string;
    contentType: string;
  }): CheckResult {
    const found = this.match(input.method, input.path);
    if (typeof found === "string") return { ok: false, problem: found };
    const problem =
      this.checkParameters(found.operation, found.matched, input.query) ??
      this.checkBody(found.operation, found.matched, input.body, input.contentType);
    return problem
      ? { ok: false, problem: `${found.matched.operationId}: ${problem}` }
      : { ok: true, operation: found.matched };
  }

  /** Problems with a response the double is about to send, or null when the description allows it. */
  checkResponse(matched: MatchedOperation, method: string, status: number, body: unknown): string | null {
    const operation = this.spec.paths[matched.template]?.[method.toLowerCase()];
    const response = operation?.responses[String(status)];
    if (!operation || !response) return `${matched.operationId} does not document a ${status} response`;
    const schema = response.content?.["application/json"]?.schema;
    if (!schema || response.$ref) return null;
    const validate = this.validator(`${matched.operationId}:response:${status}`, schema);
    return validate(body) ? null : `${matched.operationId} ${status} response: ${this.ajv.errorsText(validate.errors)}`;
  }
}
