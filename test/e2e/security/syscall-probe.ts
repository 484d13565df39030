/**
 * A python3 script (ctypes, raw syscall numbers for x86_64 and aarch64) that tries every syscall
 * class the sandbox's seccomp filter refuses and prints `SYSCALL <name> <errno>` (0 = it worked).
 * Arguments are chosen so that, without a filter, most calls succeed or fail with another errno
 * (paths do not exist, so even run unfiltered as root it changes nothing).
 * Calls that change the process (unshare, ptrace, clone) run in a forked child, which reports through a pipe;
 * a clone that works makes a grandchild that reports 0 as well.
 */
export const SYSCALL_PROBE = String.raw`
import ctypes, os, platform, sys
NUMBERS = {
  "x86_64": dict(add_key=248, request_key=249, keyctl=250, bpf=321, perf_event_open=298, userfaultfd=323,
    init_module=175, finit_module=313, delete_module=176, kexec_load=246, kexec_file_load=320,
    io_uring_setup=425, io_uring_enter=426, io_uring_register=427, open_by_handle_at=304,
    mount=165, umount2=166, pivot_root=155, fsopen=430, open_tree=428, chroot=161,
    unshare=272, setns=308, clone=56, clone3=435, personality=135, ptrace=101),
  "aarch64": dict(add_key=217, request_key=218, keyctl=219, bpf=280, perf_event_open=241, userfaultfd=282,
    init_module=105, finit_module=273, delete_module=106, kexec_load=104, kexec_file_load=294,
    io_uring_setup=425, io_uring_enter=426, io_uring_register=427, open_by_handle_at=265,
    mount=40, umount2=39, pivot_root=41, fsopen=430, open_tree=428, chroot=51,
    unshare=97, setns=268, clone=220, clone3=435, personality=92, ptrace=117),
}[platform.machine()]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
CLONE_NEWUSER = 0x10000000
SIGCHLD = 17

def call(name, *args):
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(NUMBERS[name]), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    return 0 if r >= 0 else ctypes.get_errno()

def report(name, errno):
    print("SYSCALL", name, errno, flush=True)

buf = ctypes.create_string_buffer(256)
report("add_key", call("add_key", b"user", b"cadre-probe", b"x", 1, -2))
report("request_key", call("request_key", b"user", b"cadre-missing", None, 0))
report("keyctl", call("keyctl", 0, -3, 0))
report("bpf", call("bpf", 999, None, 0))
report("perf_event_open", call("perf_event_open", buf, 0, -1, -1, 0))
report("userfaultfd", call("userfaultfd", 1))
report("init_module", call("init_module", None, 0, b""))
report("finit_module", call("finit_module", -1, b"", 0))
report("delete_module", call("delete_module", b"cadre_none", 0))
report("kexec_load", call("kexec_load", 0, 0, None, 0))
report("kexec_file_load", call("kexec_file_load", -1, -1, 0, b"", 0))
report("io_uring_setup", call("io_uring_setup", 1, buf))
report("io_uring_enter", call("io_uring_enter", -1, 0, 0, 0, None, 0))
report("io_uring_register", call("io_uring_register", -1, 0, None, 0))
report("open_by_handle_at", call("open_by_handle_at", -1, buf, 0))
report("mount", call("mount", b"none", b"/nonexistent-cadre-probe", b"tmpfs", 0, None))
report("umount2", call("umount2", b"/nonexistent-cadre-probe", 0))
report("pivot_root", call("pivot_root", b"/nonexistent-cadre-probe", b"/nonexistent-cadre-probe"))
report("fsopen", call("fsopen", b"tmpfs", 0))
report("open_tree", call("open_tree", -100, b"/tmp", 1))
report("chroot", call("chroot", b"/nonexistent-cadre-probe"))
report("setns", call("setns", -1, 0))
report("clone3", call("clone3", None, 0))
report("personality", call("personality", 0x0040000))
r, w = os.pipe()
for name, args in [("unshare", (CLONE_NEWUSER,)), ("ptrace", (0, 0, 0, 0)), ("clone", (CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0))]:
    pid = os.fork()
    if pid == 0:
        got = call(name, *args)
        os.write(w, (str(got) + "\n").encode())
        os._exit(0)
    os.waitpid(pid, 0)
    report(name, int(os.read(r, 64).split()[0]))
print("SECCOMP", [l.split()[1] for l in open("/proc/self/status") if l.startswith("Seccomp:")][0], flush=True)
print("SYSCALLS-DONE", flush=True)
`;

/** `name` → errno from the probe's output. */
export function parseSyscalls(output: string): Map<string, number> {
  const results = new Map<string, number>();
  for (const match of output.matchAll(/^SYSCALL (\S+) (\d+)$/gm)) results.set(match[1] as string, Number(match[2]));
  return results;
}
