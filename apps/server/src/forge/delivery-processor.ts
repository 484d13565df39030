import type { ForgeEvent } from "@cadre/forge";
import type { DeliveryRecord } from "@cadre/store";
import type { ServerContext } from "../server-context.ts";
import { applyDecisions, ignore, type Decision } from "./decisions.ts";
import { forgeObjectKey } from "./forge-object.ts";
import { forgeScope, type ForgeScope } from "./forge-scope.ts";
import { POLLED_EVENT } from "./forge-poller.ts";
import { onChangeRequest } from "./on-change-request.ts";
import { onCheck } from "./on-check.ts";
import { onComment } from "./on-comment.ts";
import { automationDecisions } from "../automations/forge-event-runs.ts";

function decide(scope: ForgeScope, event: ForgeEvent): Promise<Decision> | Decision {
  switch (event.kind) {
    case "comment_created":
      return onComment(scope, event);
    case "change_request":
      return onChangeRequest(scope, event);
    case "check_completed":
      return onCheck(scope, event);
    case "push":
    case "issue_labelled":
      return ignore(`${event.kind} starts only automations`);
    case "ping":
      return ignore("ping");
  }
}

/**
 * Handles one stored delivery: its events in Cadre's terms, a decision for each (reading the forge
 * as needed), then every write in one transaction with the delivery marked done.
 */
export async function processDelivery(ctx: ServerContext, delivery: DeliveryRecord, holder: string): Promise<string> {
  const forge = await ctx.store.forges.find(delivery.forgeId);
  const target = { forgeId: delivery.forgeId, deliveryId: delivery.deliveryId, holder };
  if (!forge) return applyDecisions(ctx.store.db, target, [ignore("the forge was removed")]);
  // A mirror fetch started after the webhook arrived already holds what its event saw.
  const scope = { ...forgeScope(ctx, forge), receivedAt: Date.parse(delivery.receivedAt) };
  let events: ForgeEvent[];
  try {
    events =
      delivery.event === POLLED_EVENT
        ? [delivery.payload as ForgeEvent]
        : scope.adapter.parseWebhook(delivery.event, delivery.payload);
  } catch (error) {
    return applyDecisions(ctx.store.db, target, [
      ignore(`a ${delivery.event} payload Cadre does not understand: ${(error as Error).message.slice(0, 300)}`),
    ]);
  }
  const decisions: Decision[] = [];
  for (const event of events) {
    const object = forgeObjectKey(event);
    const made = [
      await decide(scope, event),
      // The one place automations hear forge events: after Cadre's own handling, in the same transaction.
      ...(await automationDecisions(scope, delivery.deliveryId, event)),
    ];
    decisions.push(
      ...made.map((decision) => (object && decision.kind !== "ignore" ? { ...decision, object } : decision)),
    );
  }
  return applyDecisions(
    ctx.store.db,
    target,
    decisions.length ? decisions : [ignore(`${delivery.event} is not an event Cadre handles`)],
  );
}
