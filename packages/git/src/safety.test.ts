import { describe, expect, it } from "vitest";
import { CadreError } from "@cadre/protocol";
import { assertSafeBranchName, assertSafeRef, assertSafeRelPath, assertSafeRemote } from "./safety.ts";

function code(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof CadreError ? e.code : "other";
  }
}

describe("assertSafeRef", () => {
  it("accepts branch names, full refs, HEAD and shas", () => {
    for (const ok of [
      "main",
      "HEAD",
      "feature/x-1",
      "refs/heads/main",
      "refs/cadre/attempts/a1",
      "v1.2.3",
      "a".repeat(40),
    ]) {
      expect(
        code(() => assertSafeRef(ok)),
        ok,
      ).toBeNull();
    }
  });
  it("refuses options and check-ref-format violations", () => {
    for (const bad of [
      "",
      "--upload-pack=x",
      "-x",
      "a..b",
      "a b",
      "a~1",
      "a^",
      "a:b",
      "a?",
      "a*",
      "a[",
      "a\\b",
      "a@{1}",
      "@",
      "/a",
      "a/",
      "a//b",
      "a.",
      ".a",
      "a/.b",
      "a.lock",
      "a\nb",
      "a\0b",
      "a\x7f",
    ]) {
      expect(
        code(() => assertSafeRef(bad)),
        JSON.stringify(bad),
      ).toBe("bad_request");
    }
  });
  it("explains the problem", () => {
    expect(() => assertSafeRef("--upload-pack=x")).toThrow(/starts with '-'/);
  });
});

describe("assertSafeBranchName", () => {
  it("accepts normal names", () => {
    expect(code(() => assertSafeBranchName("cadre/fix-login"))).toBeNull();
  });
  it("refuses HEAD, refs/ prefixes, spaces and leading dashes", () => {
    for (const bad of ["HEAD", "refs/heads/x", "a b", "-b", "x..y", "x.lock"])
      expect(
        code(() => assertSafeBranchName(bad)),
        bad,
      ).toBe("bad_request");
  });
});

describe("assertSafeRelPath", () => {
  it("accepts relative paths", () => {
    for (const ok of ["a", "src/a.ts", "dir/", ".github/workflows/ci.yml", "a b/c d.txt", "..a", "a..b"]) {
      expect(
        code(() => assertSafeRelPath(ok)),
        ok,
      ).toBeNull();
    }
  });
  it("refuses absolute, parent, option-like, .git and NUL paths", () => {
    for (const bad of [
      "",
      "/etc/passwd",
      "../x",
      "a/../../x",
      "a/..",
      "-rf",
      "a\0b",
      "./a",
      "a//b",
      ".git/config",
      "sub/.GIT/hooks/x",
    ]) {
      expect(
        code(() => assertSafeRelPath(bad)),
        JSON.stringify(bad),
      ).toBe("bad_request");
    }
  });
});

describe("assertSafeRemote", () => {
  it("refuses remote helpers and options", () => {
    expect(code(() => assertSafeRemote("ext::sh -c touch% /tmp/pwned"))).toBe("bad_request");
    expect(code(() => assertSafeRemote("--upload-pack=x"))).toBe("bad_request");
    expect(code(() => assertSafeRemote("https://example.com/a.git"))).toBeNull();
    expect(code(() => assertSafeRemote("/srv/repos/a"))).toBeNull();
  });
});
