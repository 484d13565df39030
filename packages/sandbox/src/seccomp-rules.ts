/** One refusal of the sandbox's seccomp filter: the syscall, the errno it answers, and when. */
export interface SeccompRule {
  syscall: string;
  errno: "EPERM" | "ENOSYS";
  /** Refuse only when this argument test holds (libseccomp's comparison on one argument). */
  when?: { arg: number; op: "masked_eq" | "gt"; value: number; mask?: number };
}

/** Namespace flags of clone(2) and unshare(2); CLONE_NEWTIME shares its bit with clone's exit signal. */
const CLONE_NAMESPACE_FLAGS = {
  CLONE_NEWNS: 0x00020000,
  CLONE_NEWCGROUP: 0x02000000,
  CLONE_NEWUTS: 0x04000000,
  CLONE_NEWIPC: 0x08000000,
  CLONE_NEWUSER: 0x10000000,
  CLONE_NEWPID: 0x20000000,
  CLONE_NEWNET: 0x40000000,
};
const CLONE_NEWTIME = 0x00000080;

/** PER_LINUX, PER_LINUX32, UNAME26 and UNAME26|PER_LINUX32 are all a task needs; 0x20008 is the largest. */
const HIGHEST_PLAIN_PERSONALITY = 0x20008;

const refuse = (names: string[]): SeccompRule[] => names.map((syscall) => ({ syscall, errno: "EPERM" }));

function whenFlag(syscall: string, flags: number[]): SeccompRule[] {
  return flags.map((flag) => ({
    syscall,
    errno: "EPERM",
    when: { arg: 0, op: "masked_eq", mask: flag, value: flag },
  }));
}

/**
 * Syscalls a coding task never needs, refused with EPERM (a clear error, not a kill). What bwrap
 * already denies by capabilities is listed too: the filter is the second wall. clone3 answers ENOSYS
 * because its flags live in memory a filter cannot read; libc then falls back to clone, whose
 * flags it can. Namespace creation and entry beyond what bubblewrap set up is refused, so no
 * nested user namespace can regain mount or network powers.
 */
export const SECCOMP_RULES: SeccompRule[] = [
  ...refuse(["add_key", "request_key", "keyctl"]),
  ...refuse(["bpf", "perf_event_open", "userfaultfd"]),
  ...refuse(["init_module", "finit_module", "delete_module", "create_module", "query_module", "get_kernel_syms"]),
  ...refuse(["kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff", "acct", "syslog"]),
  ...refuse(["io_uring_setup", "io_uring_enter", "io_uring_register"]),
  ...refuse(["open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "quotactl", "quotactl_fd", "nfsservctl"]),
  ...refuse(["mount", "umount", "umount2", "pivot_root", "chroot", "mount_setattr"]),
  ...refuse(["move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick"]),
  ...refuse(["setns", "ptrace", "process_vm_readv", "process_vm_writev"]),
  ...refuse(["uselib", "ustat", "sysfs", "_sysctl", "vm86", "vm86old", "iopl", "ioperm"]),
  ...refuse(["settimeofday", "clock_settime", "clock_adjtime", "stime"]),
  ...whenFlag("unshare", [...Object.values(CLONE_NAMESPACE_FLAGS), CLONE_NEWTIME]),
  ...whenFlag("clone", Object.values(CLONE_NAMESPACE_FLAGS)),
  { syscall: "clone3", errno: "ENOSYS" },
  // Personality flags (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, MMAP_PAGE_ZERO, …) lie above the plain
  // personalities; the 0xffffffff query is refused with them (libseccomp cannot test an argument twice).
  { syscall: "personality", errno: "EPERM", when: { arg: 0, op: "gt", value: HIGHEST_PLAIN_PERSONALITY } },
];

/**
 * 32-bit ABIs a 64-bit process can still call into (int 0x80, x32, AArch32): the filter covers
 * them too, so a compat syscall is no way around it. Names are libseccomp's `Arch` members.
 */
export const COMPAT_ARCHES: Record<string, string[]> = {
  x64: ["X86", "X32"],
  arm64: ["ARM"],
};
