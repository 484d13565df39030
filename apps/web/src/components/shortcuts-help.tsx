import { Modal } from "./modal.tsx";

const SHORTCUTS: [string, string][] = [
  ["n", "New task"],
  ["/", "Search tasks"],
  ["j", "Task list: next task"],
  ["k", "Task list: previous task"],
  ["o", "Task list: open the selected task (or Enter)"],
  ["g t", "Go to tasks"],
  ["g r", "Go to repos"],
  ["g e", "Go to environments"],
  ["d", "Task page: show the diff"],
  ["a", "Task page: show the activity"],
  ["Ctrl/⌘ + Enter", "Submit the form you are typing in"],
  ["Esc", "Close a dialog"],
  ["?", "This help"],
];

export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([k, what]) => (
            <tr key={k}>
              <td>{k.split(" ").map((p, i) => (p === "+" ? " + " : <kbd key={i}>{p}</kbd>))}</td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
