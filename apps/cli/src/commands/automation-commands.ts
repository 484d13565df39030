import type { Command } from "commander";
import { Option } from "commander";
import type { Automation, AutomationRun, AutomationTrigger, CreateAutomation } from "@cadre/protocol";
import { clientFor, printJson, stdio } from "../cli-context.ts";
import { CliExit, EXIT } from "../exit-codes.ts";

interface AddFlags {
  repo: string;
  schedule?: string;
  on?: string;
  prompt: string;
  env?: string;
  mode: "ask" | "code" | "plan";
  deliver: "pr" | "branch" | "none";
  json?: boolean;
}

const EVENTS = "push[:<branch>], pr-opened, check-failed, label:<label>, fire";

/** `--on` in the CLI's words to the protocol's event trigger. */
export function eventTrigger(on: string): AutomationTrigger {
  const [word, ...rest] = on.split(":");
  const arg = rest.join(":");
  if (word === "push") return { kind: "event", event: "push", ...(arg ? { branch: arg } : {}) };
  if (word === "label" || word === "issue-labelled") {
    if (!arg) throw new CliExit(EXIT.usage, "--on label:<label> names the label, e.g. --on label:cadre");
    return { kind: "event", event: "issue_labelled", label: arg };
  }
  const plain: Record<string, "change_request_opened" | "check_failed" | "fire"> = {
    "pr-opened": "change_request_opened",
    "check-failed": "check_failed",
    fire: "fire",
  };
  const event = plain[word ?? ""];
  if (!event || arg) throw new CliExit(EXIT.usage, `--on ${on} is not an event Cadre knows: use one of ${EVENTS}`);
  return { kind: "event", event };
}

function triggerText(trigger: AutomationTrigger): string {
  if (trigger.kind === "schedule") return `schedule "${trigger.cron}" (UTC)`;
  if (trigger.event === "push") return `push${trigger.branch ? ` to ${trigger.branch}` : ""}`;
  if (trigger.event === "issue_labelled") return `issue labelled ${trigger.label ?? "?"}`;
  if (trigger.event === "change_request_opened") return "pull request opened";
  if (trigger.event === "check_failed") return "check failed";
  return "fire URL only";
}

function runLine(run: AutomationRun): string {
  const what =
    run.state === "failed" ? `failed: ${run.error ?? ""}` : run.outcome ? `${run.state}: ${run.outcome}` : run.state;
  return `    ${run.createdAt}  ${run.detail.padEnd(30)} ${run.taskId ?? "(no task)"}  ${what}`;
}

function summary(automation: Automation): string {
  const state = automation.state === "paused" ? `PAUSED (${automation.pausedReason ?? "paused"})` : "active";
  const next = automation.nextRunAt ? `, next ${automation.nextRunAt}` : "";
  return `${automation.name.padEnd(20)} ${automation.repoName.padEnd(14)} ${triggerText(automation.trigger)}${next}  ${state}`;
}

function registerAdd(automation: Command): void {
  automation
    .command("add")
    .description("save a prompt that starts tasks on a schedule, on a forge event, or when its fire URL is called")
    .argument("<name>", "name to refer to it by (lowercase letters, digits, . _ -)")
    .requiredOption("--repo <repo>", "the repo its tasks run on")
    .option("--schedule <cron>", 'five cron fields in UTC, e.g. "0 6 * * 1-5"')
    .option("--on <event>", `a forge event: ${EVENTS}`)
    .requiredOption("--prompt <text>", "what each run's task is asked")
    .option("--env <env>", "the environment its tasks use (default: the repo's own)")
    .addOption(new Option("--mode <mode>", "task mode").choices(["ask", "code", "plan"]).default("code"))
    .addOption(
      new Option(
        "--deliver <how>",
        "what happens to a run's change: a pull request, a pushed branch, or a review left open",
      )
        .choices(["pr", "branch", "none"])
        .default("none"),
    )
    .option("--json", "print JSON (id, fireUrl, fireToken, …)")
    .action(async (name: string, flags: AddFlags, cmd: Command) => {
      if (Boolean(flags.schedule) === Boolean(flags.on))
        throw new CliExit(EXIT.usage, `give one of --schedule "<cron>" or --on <event> (${EVENTS})`);
      const trigger: AutomationTrigger = flags.schedule
        ? { kind: "schedule", cron: flags.schedule }
        : eventTrigger(flags.on as string);
      const body: CreateAutomation = {
        name,
        repo: flags.repo,
        trigger,
        prompt: flags.prompt,
        mode: flags.mode,
        deliver: flags.deliver,
        ...(flags.env ? { environment: flags.env } : {}),
      };
      const created = await (await clientFor(cmd)).call("createAutomation", { body });
      if (flags.json) return printJson(stdio, created);
      stdio.out(`added automation ${summary(created)}`);
      stdio.out(`fire URL:   ${created.fireUrl}`);
      stdio.out(`fire token: ${created.fireToken}`);
      stdio.out("The token is shown this once. Fire a run with:");
      stdio.out(
        `  curl -X POST -H "Authorization: Bearer <token>" -H "Content-Type: application/json" -d '{"text":"..."}' ${created.fireUrl}`,
      );
    });
}

/** `cadre automation add|list|show|pause|resume|remove`. */
export function registerAutomationCommands(program: Command): void {
  const automation = program
    .command("automation")
    .description("work that starts without a person: on a schedule, on forge events, or from a fire URL");
  registerAdd(automation);
  automation
    .command("list")
    .description("list automations with their last runs")
    .option("--repo <repo>", "only this repo's")
    .option("--json", "print JSON")
    .action(async (flags: { repo?: string; json?: boolean }, cmd: Command) => {
      const { items } = await (
        await clientFor(cmd)
      ).call("listAutomations", {
        query: flags.repo ? { repo: flags.repo } : {},
      });
      if (flags.json) return printJson(stdio, items);
      if (items.length === 0)
        return stdio.out(
          "no automations yet: add one with 'cadre automation add <name> --repo R --schedule \"<cron>\" --prompt <text>'",
        );
      for (const item of items) {
        stdio.out(summary(item));
        for (const run of item.lastRuns.slice(0, 3)) stdio.out(runLine(run));
      }
    });
  automation
    .command("show")
    .description("an automation's settings and its latest runs")
    .argument("<name>")
    .option("--json", "print JSON")
    .action(async (name: string, flags: { json?: boolean }, cmd: Command) => {
      const found = await (await clientFor(cmd)).call("getAutomation", { params: { id: name } });
      if (flags.json) return printJson(stdio, found);
      stdio.out(summary(found));
      stdio.out(`  mode ${found.mode}, delivers ${found.deliver}, by ${found.createdBy}, since ${found.createdAt}`);
      stdio.out(`  fire URL: ${found.fireUrl}`);
      stdio.out(`  failures in a row: ${found.consecutiveFailures}`);
      stdio.out(`  prompt: ${found.prompt}`);
      if (found.lastRuns.length === 0) stdio.out("  no runs yet");
      for (const run of found.lastRuns) stdio.out(runLine(run));
    });
  for (const [verb, route, said] of [
    ["pause", "pauseAutomation", "paused"],
    ["resume", "resumeAutomation", "resumed"],
  ] as const)
    automation
      .command(verb)
      .description(verb === "pause" ? "stop starting runs" : "start runs again (clears the failure count)")
      .argument("<name>")
      .option("--json", "print JSON")
      .action(async (name: string, flags: { json?: boolean }, cmd: Command) => {
        const changed = await (await clientFor(cmd)).call(route, { params: { id: name } });
        if (flags.json) return printJson(stdio, changed);
        stdio.out(`${said} ${summary(changed)}`);
      });
  automation
    .command("remove")
    .description("delete an automation (its tasks stay)")
    .argument("<name>")
    .action(async (name: string, _flags: unknown, cmd: Command) => {
      await (await clientFor(cmd)).call("deleteAutomation", { params: { id: name } });
      stdio.out(`removed automation ${name}`);
    });
}
