import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { COMPAT_ARCHES, SECCOMP_RULES } from "./seccomp-rules.ts";
import { SandboxError } from "./types.ts";

/**
 * Compiles the rules with Debian's libseccomp binding (python3-seccomp): JSON in on stdin, the
 * classic-BPF program bubblewrap's --seccomp takes out on stdout. Syscalls this libseccomp does
 * not know on any of the filter's architectures are skipped and named on stderr.
 */
const GENERATOR = String.raw`
import errno, json, sys, seccomp
spec = json.load(sys.stdin)
f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
for name in spec["compat"]:
    arch = getattr(seccomp.Arch, name, None)
    if arch is not None and arch != seccomp.system_arch():
        f.add_arch(arch)
def condition(when):
    if when["op"] == "masked_eq":
        return seccomp.Arg(when["arg"], seccomp.MASKED_EQ, when["mask"], when["value"])
    return seccomp.Arg(when["arg"], seccomp.GT, when["value"])
skipped = []
for rule in spec["rules"]:
    args = [condition(rule["when"])] if "when" in rule else []
    try:
        f.add_rule(seccomp.ERRNO(getattr(errno, rule["errno"])), rule["syscall"], *args)
    except (RuntimeError, ValueError, OSError):
        skipped.append(rule["syscall"])
if skipped:
    print("skipped unknown syscalls: " + " ".join(sorted(set(skipped))), file=sys.stderr)
f.export_bpf(sys.stdout.buffer)
`;

/** The system's python3 (Debian's python3-seccomp installs there); a PATH python may lack the module. */
export function systemPython(): string {
  return existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

function compile(input: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(systemPython(), ["-c", GENERATOR], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("error", (error) => reject(error));
    child.on("close", (code) => {
      const program = Buffer.concat(out);
      // A classic-BPF program is whole 8-byte instructions.
      if (code === 0 && program.length > 0 && program.length % 8 === 0) resolve(program);
      else
        reject(
          new SandboxError(
            "sandbox_error",
            `could not build the sandbox's seccomp filter (${err.trim() || `exit ${code}`}); install Debian's python3-seccomp (apt-get install python3-seccomp)`,
          ),
        );
    });
    child.stdin.end(input);
  });
}

/**
 * The seccomp program for this machine's architecture, compiled once and cached under `dir`
 * by the hash of everything that shapes it (generator, rules, architecture).
 */
export async function loadSeccompProgram(dir: string): Promise<Buffer> {
  const input = JSON.stringify({ compat: COMPAT_ARCHES[process.arch] ?? [], rules: SECCOMP_RULES });
  const hash = createHash("sha256").update(GENERATOR).update(input).update(process.arch).digest("hex").slice(0, 32);
  const path = join(dir, `${hash}.bpf`);
  const cached = await readFile(path).catch(() => null);
  if (cached && cached.length > 0 && cached.length % 8 === 0) return cached;
  const program = await compile(input);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(4).toString("hex")}`;
  await writeFile(tmp, program, { mode: 0o600 });
  await rename(tmp, path);
  return program;
}
