import { useEffect, type KeyboardEvent as ReactKeyboardEvent } from "react";

export type ShortcutMap = Record<string, (e: KeyboardEvent) => void>;

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT";
}

/**
 * Single keys and two-key sequences ("g t") outside text fields. Keys are matched on `e.key`,
 * so "?" works whatever the keyboard layout.
 */
export function useShortcuts(map: ShortcutMap): void {
  useEffect(() => {
    let prefix = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
      const combo = prefix ? `${prefix} ${e.key}` : e.key;
      const handler = map[combo];
      if (handler) {
        e.preventDefault();
        prefix = "";
        handler(e);
        return;
      }
      if (Object.keys(map).some((k) => k.startsWith(`${e.key} `))) {
        prefix = e.key;
        clearTimeout(timer);
        timer = setTimeout(() => (prefix = ""), 1200);
      } else prefix = "";
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      clearTimeout(timer);
    };
  }, [map]);
}

/** Ctrl/Cmd+Enter submits the form a field belongs to. */
export function submitOnModEnter(e: ReactKeyboardEvent<HTMLElement>): void {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    const form = (e.target as HTMLElement).closest("form");
    form?.requestSubmit();
  }
}
