import { describe, expect, it } from "vitest";
import { ImageField, parseImageReference, pinnedReference, skopeoReference } from "./image-reference.ts";

describe("image references (containers-transport syntax)", () => {
  it.each([
    ["oci:/srv/images/app", "oci:/srv/images/app", { transport: "oci", path: "/srv/images/app", tag: null }],
    ["oci:/srv/images/app:v2", "oci:/srv/images/app:v2", { transport: "oci", tag: "v2" }],
    [
      "oci-archive:/srv/app.tar:latest",
      "oci-archive:/srv/app.tar:latest",
      { transport: "oci-archive", path: "/srv/app.tar" },
    ],
    ["docker-archive:/srv/app.tar", "docker-archive:/srv/app.tar", { transport: "docker-archive" }],
    [
      "docker://registry.example.com:5000/team/app:1.2",
      "docker://registry.example.com:5000/team/app:1.2",
      { registry: "registry.example.com:5000", repository: "team/app", tag: "1.2" },
    ],
    [
      "debian:bookworm",
      "docker://docker.io/library/debian:bookworm",
      { registry: "docker.io", repository: "library/debian" },
    ],
    ["ghcr.io/org/tool", "docker://ghcr.io/org/tool", { registry: "ghcr.io", tag: null }],
    ["localhost/app:dev", "docker://localhost/app:dev", { registry: "localhost" }],
    [`python@sha256:${"a".repeat(64)}`, `docker://docker.io/library/python@sha256:${"a".repeat(64)}`, { tag: null }],
  ])("%s", (text, skopeo, fields) => {
    const ref = parseImageReference(text);
    expect(ref).toMatchObject(fields);
    expect(skopeoReference(ref)).toBe(skopeo);
  });

  it.each([
    ["--src-creds=a:b", /start with '-'/],
    ["oci:relative/dir", /absolute path/],
    ["oci:/a/../etc", /absolute path/],
    ["oci:/dir with space", /spaces/],
    ["dir:/srv/image", /transport dir: is not supported/],
    ["containers-storage:app", /not supported/],
    ["Debian:Bookworm", /lowercase/],
    ["debian:bad tag", /spaces/],
    ["python@sha256:123", /64 hex/],
    ["", /1 to 1024/],
  ])("refuses %j", (text, message) => {
    expect(() => parseImageReference(text)).toThrow(message);
  });

  it("pins registry references to a digest and leaves local files as they are", () => {
    const digest = `sha256:${"b".repeat(64)}`;
    expect(skopeoReference(pinnedReference(parseImageReference("debian:bookworm"), digest))).toBe(
      `docker://docker.io/library/debian@${digest}`,
    );
    expect(skopeoReference(pinnedReference(parseImageReference("oci:/x:t"), digest))).toBe("oci:/x:t");
  });

  it("the API field takes a reference or devcontainer", () => {
    expect(ImageField.safeParse("devcontainer").success).toBe(true);
    expect(ImageField.safeParse("oci:/srv/x").success).toBe(true);
    const bad = ImageField.safeParse("oci:x");
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/absolute path/);
  });
});
