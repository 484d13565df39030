import { formatAge } from "../lib/format.ts";
import { useNow } from "../lib/use-now.ts";

/** How often an age of this many milliseconds changes its shown value. */
function tickFor(ageMs: number): number {
  if (ageMs < 60_000) return 1000;
  if (ageMs < 3600_000) return 15_000;
  return 60_000;
}

/** "12s ago" that keeps counting while the page is open; the exact time on hover. */
export function RelativeTime({ iso, suffix = " ago" }: { iso: string; suffix?: string }) {
  const now = useNow(tickFor(Date.now() - Date.parse(iso)));
  return (
    <time dateTime={iso} title={new Date(iso).toLocaleString()}>
      {formatAge(iso, now)}
      {suffix}
    </time>
  );
}
