import { useEffect } from "react";

/** The tab's title, so a person with many tabs sees which task is which and how it is doing. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Cadre` : "Cadre";
  }, [title]);
}
