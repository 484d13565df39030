export * from "./commit-message.ts";
export * from "./delivery-identity.ts";
export * from "./attempt-change.ts";
export * from "./delivery-content.ts";
export * from "./push-target.ts";
export * from "./push-delivery.ts";
export * from "./deliver.ts";
export * from "./deliver-follow-up.ts";
