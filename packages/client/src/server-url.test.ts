import { describe, expect, it } from "vitest";
import { looksLikeHostPath } from "@cadre/protocol";
import { checkServerUrl } from "./server-url.ts";

describe("URLs without a scheme are reported as such", () => {
  it("a server URL needs http:// or https://", () => {
    expect(checkServerUrl(" http://127.0.0.1:7700 ", "--url")).toBe("http://127.0.0.1:7700");
    expect(() => checkServerUrl("127.0.0.1:7700", "--url")).toThrow(
      "--url '127.0.0.1:7700' has no scheme: write http://127.0.0.1:7700",
    );
    expect(() => checkServerUrl("localhost:7700", "CADRE_URL")).toThrow("has no scheme");
    expect(() => checkServerUrl("ftp://host", "--url")).toThrow("is not an http:// or https:// URL");
  });

  it("a repo origin like github.com/acme/app is a URL missing its scheme, not a folder", () => {
    expect(looksLikeHostPath("github.com/acme/app")).toBe(true);
    expect(looksLikeHostPath("git.example.org:8443/team/app.git")).toBe(true);
    expect(looksLikeHostPath("src/app")).toBe(false);
    expect(looksLikeHostPath("../my.project/app")).toBe(false);
    expect(looksLikeHostPath("./app.v2/x")).toBe(false);
  });
});
