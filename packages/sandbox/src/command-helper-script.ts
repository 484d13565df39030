/**
 * The workspace holder's own program when it runs commands (see command-helper.ts): a bash loop
 * in the holder's namespaces that forks each command's launch instead of Node spawning it. It
 * reads requests from stdin as NUL-terminated fields and reports on stdout, one line each:
 * `start ID PGID` once the command's output pipes are open, `exit ID CODE` when it ended.
 *
 * Per request, a job of its own (`set -m`: its own process group, which Cadre kills at a timeout)
 * opens the slot's two FIFOs as stdout and stderr, says `start`, and forks the launch: join the
 * command's cgroups, set the rlimits, open the inputs at descriptors 3, 4, … (bubblewrap's args, the
 * seccomp program, passwd, group), and exec bubblewrap with an empty environment. Fields: id,
 * slot, the number of cgroup.procs files and the files, processes, data KiB, file size KiB, the
 * number of input files and the files, the number of argv words and the words.
 * At start it closes descriptors it inherited (bubblewrap would pass them into every sandbox),
 * makes the FIFOs and says `ready`; at the end of its input it kills every job left.
 * The quoted `\$f` in the input loop is eval's: each file name is expanded by eval, never parsed.
 *
 * A request of kind `spare` (the first field; `run` otherwise) builds a warm spare the same way,
 * before its command exists: bubblewrap then runs SPARE_STUB, which waits for the command text on
 * the slot's third FIFO (`in-S`). The job holds the slot's FIFOs read-write (`<>`), so no open
 * waits for Node; the launch reopens stdout and stderr write-only from them, so the command gets
 * plain write ends, and stdin from `in-S` (at 8 first: a background job's stdin would be /dev/null).
 * The job drops its own read end of `in-S` once the launch is forked: when the
 * spare is gone, Node's open of `in-S` fails instead of writing to nobody.
 */
export const COMMAND_HELPER_SCRIPT = [
  "dir=$1 slots=$2",
  'for f in /proc/$$/fd/*; do d=${f##*/}; if [ "$d" -gt 2 ]; then eval "exec $d>&-"; fi; done',
  'fifos=(); for ((s = 0; s < slots; s++)); do fifos+=("$dir/out-$s" "$dir/err-$s" "$dir/in-$s"); done',
  'mkfifo -m 600 "${fifos[@]}" || exit 121',
  "set -m",
  "exec 9>&1",
  "echo ready",
  // bash reports every finished job on stderr; nothing reads the holder's stderr after its start.
  "exec 2>/dev/null",
  "field() { IFS= read -r -d '' \"$1\"; }",
  'words() { local -n into=$1; local count word; field count || return 1; into=(); while [ "$count" -gt 0 ]; do field word || return 1; into+=("$word"); count=$((count-1)); done; }',
  'launch() { for c in "${cgroups[@]}"; do echo $BASHPID > "$c" || exit 125; done; ulimit -u "$nproc" -d "$data" -f "$fsize" || exit 125; fd=3; for f in "${inputs[@]}"; do eval "exec $fd<\\"\\$f\\"" || exit 125; fd=$((fd+1)); done; exec -c "${argv[@]}"; }',
  "while field kind && field id && field slot && words cgroups && field nproc && field data && field fsize && words inputs && words argv; do",
  '  if [ "$kind" = spare ]; then',
  "    {",
  '      echo "start $id $BASHPID" >&9',
  '      ( exec <&8 8<&- >"$dir/out-$slot" 2>"$dir/err-$slot" || exit 125; launch ) 9>&- &',
  "      exec 8<&-",
  '      wait "$!"',
  '      echo "exit $id $?" >&9',
  '    } </dev/null 8<>"$dir/in-$slot" 1<>"$dir/out-$slot" 2<>"$dir/err-$slot" &',
  "  else",
  "    {",
  '      echo "start $id $BASHPID" >&9',
  "      ( launch ) 9>&- &",
  '      wait "$!"',
  '      echo "exit $id $?" >&9',
  '    } </dev/null >"$dir/out-$slot" 2>"$dir/err-$slot" &',
  "  fi",
  "  jobs >/dev/null",
  "done",
  'for job in $(jobs -p); do kill -KILL -- "-$job" 2>/dev/null; done',
].join("\n");

/**
 * What a spare's bubblewrap runs (`SHELL -c SPARE_STUB cadre-spare SHELL`): it reads the command
 * NUL-terminated from stdin (the slot's `in-S`), puts /dev/null there instead and becomes the
 * shell running it, as bubblewrap would have started it: no process, descriptor or variable of the
 * stub is left (bash's own SHLVL would count it as a shell level).
 */
export const SPARE_STUB = [
  "IFS= read -r -d '' cmd || exit 126",
  "exec </dev/null",
  "unset SHLVL",
  'exec "$1" -c "$cmd"',
].join("\n");
