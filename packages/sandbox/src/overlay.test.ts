import { describe, expect, it } from "vitest";
import { overlayMount } from "./overlay.ts";

describe("overlayMount", () => {
  it("names the layers relative to their deepest common directory, so no host location shows in mountinfo", () => {
    const mount = overlayMount({
      lowers: ["/home/me/.cadre/sandboxes/setup/ab/1/upper", "/home/me/.cadre/sandboxes/base/c0ffee"],
      upper: "/home/me/.cadre/sandboxes/attempts/att-1/upper",
      work: "/home/me/.cadre/sandboxes/attempts/att-1/work",
    });
    expect(mount.base).toBe("/home/me/.cadre/sandboxes");
    expect(mount.options).toBe(
      "lowerdir=setup/ab/1/upper:base/c0ffee,upperdir=attempts/att-1/upper,workdir=attempts/att-1/work,userxattr,nosuid,nodev",
    );
  });

  it("compares whole names, not their letters", () => {
    const mount = overlayMount({ lowers: ["/data/base-a"], upper: "/data/base-b/upper", work: "/data/base-b/work" });
    expect(mount.base).toBe("/data");
    expect(mount.options).toMatch(/^lowerdir=base-a,upperdir=base-b\/upper,workdir=base-b\/work,/);
  });

  it("still refuses a path overlayfs cannot take", () => {
    expect(() => overlayMount({ lowers: ["/a,b/l"], upper: "/a/u", work: "/a/w" })).toThrow(/overlayfs cannot take/);
  });
});
