import type { Automation, Forge, ForgeDelivery, Repo, TaskWithAttempts } from "@cadre/protocol";
import { startHarness, type Harness, type HarnessOptions } from "../../support/cadre-harness.ts";
import { until } from "./forge-world.ts";

/** What a forge double offers a world: its API, tokens of its users, clone URLs, and closing. */
export interface ForgeDouble<Place> {
  readonly apiUrl: string;
  createToken(user: string): string;
  cloneUrl(place: Place): string;
  close(): Promise<void>;
}

/** A forge double, `cadre serve` with the scripted model, and the forge added with the real CLI. */
export interface DoubleWorld<Place, Member> {
  h: Harness;
  forge: Forge;
  /** The token and the webhook secret: they must show up in no file, log or answer. */
  secrets: string[];
  /** A repository with the calc files on the double (`cadre-bot` and the usual people are members), added to Cadre. */
  add(path: string, members?: Record<string, Member>): Promise<{ place: Place; repo: Repo }>;
  task(id: string): Promise<TaskWithAttempts>;
  tasks(): Promise<TaskWithAttempts[]>;
  /** What Cadre stored of the forge's webhook deliveries. */
  deliveries(): Promise<ForgeDelivery[]>;
  /** The delivery once Cadre handled it. */
  processed(id: string | undefined): Promise<ForgeDelivery>;
  automation(name: string): Promise<Automation>;
  /** The task of an automation's latest run, once it has one. */
  runOf(name: string): Promise<TaskWithAttempts>;
  stop(): Promise<void>;
}

export interface DoubleWorldOptions<Place, Member> extends Pick<HarnessOptions, "script"> {
  double: ForgeDouble<Place>;
  kind: Forge["kind"];
  /** The forge's name in Cadre; its token and secret are passed in `<NAME>_TOKEN` / `<NAME>_WEBHOOK_SECRET`. */
  name: string;
  secret: string;
  create(path: string, members: Record<string, Member>): Promise<Place>;
}

export async function startDoubleWorld<Place, Member>(
  options: DoubleWorldOptions<Place, Member>,
): Promise<DoubleWorld<Place, Member>> {
  const { double, name } = options;
  const h = await startHarness({ script: options.script, fixtureRepo: false, slots: 2 });
  const token = double.createToken("cadre-bot");
  const env = name.toUpperCase();
  h.env = { ...h.env, [`${env}_TOKEN`]: token, [`${env}_WEBHOOK_SECRET`]: options.secret };
  const forge = await h.json<Forge>([
    "forge",
    "add",
    name,
    "--kind",
    options.kind,
    "--api-url",
    double.apiUrl,
    "--token-env",
    `${env}_TOKEN`,
    "--webhook-secret-env",
    `${env}_WEBHOOK_SECRET`,
  ]);
  const client = h.server.client;
  const world: DoubleWorld<Place, Member> = {
    h,
    forge,
    secrets: [token, options.secret],
    async add(path, members = {}) {
      const place = await options.create(path, members);
      const repoName = path.split("/").at(-1) ?? "repo";
      const repo = await h.json<Repo>(["repo", "add", double.cloneUrl(place), "--forge", name, "--name", repoName]);
      return { place, repo };
    },
    task: (id) => client.call("getTask", { params: { id } }),
    async tasks() {
      const { items } = await client.call("listTasks", { query: { limit: 100 } });
      return Promise.all(items.map((t) => world.task(t.id)));
    },
    deliveries: async () =>
      (await client.call("listForgeDeliveries", { params: { name }, query: { limit: 200 } })).items,
    processed: (id) =>
      until(`delivery ${id} to be processed`, async () =>
        (await world.deliveries()).find((d) => d.deliveryId === id && d.state !== "pending"),
      ),
    automation: (automation) => client.call("getAutomation", { params: { id: automation } }),
    async runOf(automation) {
      const shown = await until(`${automation}'s run`, async () => {
        const found = await world.automation(automation);
        return found.lastRuns[0]?.taskId ? found : null;
      });
      return world.task(shown.lastRuns[0]?.taskId ?? "");
    },
    async stop() {
      await h.stop();
      await double.close();
    },
  };
  return world;
}
