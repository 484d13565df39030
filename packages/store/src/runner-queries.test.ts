import { expect, it } from "vitest";
import { onEachBackend } from "./testing-store.ts";

onEachBackend("runner queries", (store) => {
  it("registers an embedded runner (no token): active, listed by name, alive while it beats", async () => {
    await store().runners.register("runner_b", "beta", 2);
    await store().runners.register("runner_a", "alpha", 1);
    expect(await store().runners.active("runner_a")).toBe(true);
    expect(await store().runners.active("runner_unknown")).toBe(false);
    const listed = await store().runners.list(60_000);
    expect(listed.map((runner) => runner.name)).toEqual(["alpha", "beta"]);
    expect(listed[0]).toMatchObject({ id: "runner_a", slots: 1, activeAttempts: 0, alive: true, imageBytes: null });
  });

  it("records what a heartbeat reports, keeping the image size when a beat leaves it out", async () => {
    await store().runners.register("runner_h", "heart", 4);
    await store().runners.heartbeat("runner_h", 3, 1024);
    const beat = async () => (await store().runners.list(60_000)).find((runner) => runner.id === "runner_h");
    expect(await beat()).toMatchObject({ activeAttempts: 3, imageBytes: 1024 });
    await store().runners.heartbeat("runner_h", 1);
    expect(await beat()).toMatchObject({ activeAttempts: 1, imageBytes: 1024 });
  });

  it("registering the same id again renames it and changes its slots; removing it ends it", async () => {
    await store().runners.register("runner_r", "first", 1);
    await store().runners.register("runner_r", "second", 8);
    const found = (await store().runners.list(60_000)).filter((runner) => runner.id === "runner_r");
    expect(found).toEqual([expect.objectContaining({ name: "second", slots: 8 })]);
    await store().runners.remove("runner_r");
    expect(await store().runners.active("runner_r")).toBe(false);
    expect((await store().runners.list(60_000)).map((runner) => runner.id)).not.toContain("runner_r");
  });
});
