export { LocalSandbox } from "./local-sandbox.ts";
export { fakeModel } from "./fake-model.ts";
export type { FakeModel, FakeReply } from "./fake-model.ts";
