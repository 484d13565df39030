/**
 * Checks deploy/kubernetes: every object against the Kubernetes API's OpenAPI schemas
 * (kubernetes-models), Cadre's own rules for the runner pods (least privilege), and
 * `kubectl apply --dry-run=client` (Debian's kubernetes-client) against a discovery-only API stub
 * on loopback, since client-side dry runs still ask a server which kinds exist.
 * Run: npx tsx scripts/check-deploy.ts (part of `npm test`).
 */
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

interface Container {
  env?: { name: string; valueFrom?: unknown }[];
  readinessProbe?: { httpGet?: { path?: string } };
  livenessProbe?: { httpGet?: { path?: string } };
}

const DIR = resolve(import.meta.dirname, "..", "deploy", "kubernetes");
const problems: string[] = [];

function load(): { file: string; object: KubeObject }[] {
  return readdirSync(DIR)
    .filter((name) => name.endsWith(".yaml"))
    .flatMap((name) =>
      parseAllDocuments(readFileSync(join(DIR, name), "utf8")).map((doc) => {
        if (doc.errors.length) problems.push(`${name}: ${doc.errors.map((e) => e.message).join("; ")}`);
        return { file: name, object: doc.toJS() as KubeObject };
      }),
    );
}

async function validateSchemas(objects: { file: string; object: KubeObject }[]): Promise<void> {
  for (const { file, object } of objects) {
    const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : [null, object.apiVersion];
    const module = (await import(`kubernetes-models/${group ? `${group}/` : ""}${version}/${object.kind}`)) as Record<
      string,
      new (value: unknown) => { validate(): void }
    >;
    const Model = module[object.kind];
    if (!Model) {
      problems.push(`${file}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      problems.push(`${file}: ${object.kind} ${object.metadata.name}: ${(error as Error).message}`);
    }
  }
}

function containersOf(object: KubeObject): Container[] {
  const template = (object.spec?.template as { spec?: { containers?: Container[] } } | undefined)?.spec;
  return template?.containers ?? [];
}

/** The runner pods hold the runner token and nothing else; both Deployments are probed where Cadre says. */
function checkCadreRules(objects: KubeObject[]): void {
  const deployment = (name: string) => objects.find((o) => o.kind === "Deployment" && o.metadata.name === name);
  const runner = deployment("cadre-runner");
  const server = deployment("cadre-server");
  if (!runner || !server)
    return void problems.push("deploy/kubernetes needs Deployments cadre-server and cadre-runner");
  for (const container of containersOf(runner)) {
    for (const variable of container.env ?? [])
      if (/DATABASE|SECRET_KEY|API_KEY/.test(variable.name) || variable.valueFrom?.toString().includes("cadre-server"))
        problems.push(`runner.yaml: a runner must not get ${variable.name}`);
    if (container.readinessProbe?.httpGet?.path !== "/healthz") problems.push("runner.yaml: probe GET /healthz");
  }
  const secrets = JSON.stringify((runner.spec?.template as { spec?: { volumes?: unknown } }).spec?.volumes ?? []);
  if (secrets.includes('"cadre-server"')) problems.push("runner.yaml: a runner must not mount the server's secret");
  for (const container of containersOf(server))
    if (container.readinessProbe?.httpGet?.path !== "/api/v1/version")
      problems.push("server.yaml: probe GET /api/v1/version");
}

/** Discovery documents for the kinds deploy/kubernetes uses, and 404 for every object (nothing exists yet). */
function discoveryStub(): Promise<{ url: string; close: () => void }> {
  const resource = (name: string, kind: string, namespaced: boolean) => ({
    name,
    singularName: kind.toLowerCase(),
    namespaced,
    kind,
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
  });
  const documents: Record<string, unknown> = {
    "/api": { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] },
    "/apis": {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: [
        {
          name: "apps",
          versions: [{ groupVersion: "apps/v1", version: "v1" }],
          preferredVersion: { groupVersion: "apps/v1", version: "v1" },
        },
      ],
    },
    "/api/v1": {
      kind: "APIResourceList",
      groupVersion: "v1",
      resources: [
        resource("namespaces", "Namespace", false),
        resource("secrets", "Secret", true),
        resource("services", "Service", true),
        resource("persistentvolumeclaims", "PersistentVolumeClaim", true),
      ],
    },
    "/apis/apps/v1": {
      kind: "APIResourceList",
      groupVersion: "apps/v1",
      resources: [resource("deployments", "Deployment", true)],
    },
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0] as string;
    const body = documents[path];
    if (body) return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    res
      .writeHead(404, { "content-type": "application/json" })
      .end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 }));
  });
  return new Promise((done) =>
    server.listen(0, "127.0.0.1", () =>
      done({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() }),
    ),
  );
}

async function kubectlDryRun(count: number): Promise<void> {
  if (spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status !== 0) {
    problems.push("kubectl is missing: apt-get install kubernetes-client (scripts/install-system.sh --test does)");
    return;
  }
  const stub = await discoveryStub();
  const result = await new Promise<{ code: number | null; out: string }>((done) => {
    // Schemas were checked above (kubectl would fetch them from the server); this is what kubectl makes of the files.
    const child = spawn("kubectl", ["apply", "--dry-run=client", "--validate=false", "--server", stub.url, "-f", DIR], {
      env: { ...process.env, KUBECONFIG: "/dev/null" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (out += b.toString()));
    child.on("close", (code) => done({ code, out }));
  });
  stub.close();
  const created = (result.out.match(/\(dry run\)/g) ?? []).length;
  if (result.code !== 0 || created !== count)
    problems.push(`kubectl apply --dry-run=client: exit ${result.code}, ${created}/${count} objects\n${result.out}`);
}

const objects = load();
await validateSchemas(objects);
checkCadreRules(objects.map((o) => o.object));
await kubectlDryRun(objects.length);
if (problems.length) {
  console.error(`deploy/kubernetes: ${problems.length} problem(s):\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log(`deploy/kubernetes: ${objects.length} objects valid (schemas, Cadre's rules, kubectl dry run)`);
