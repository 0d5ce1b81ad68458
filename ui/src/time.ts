/** How long ago `seconds` (Unix time) was, as a release manager reads it: 5m, 3h, 2d, 6w. */
export function age(seconds: number, nowMs: number = Date.now()): string {
  const delta = Math.max(0, Math.floor(nowMs / 1000 - seconds));
  if (delta < 60) return "now";
  if (delta < 3600) return `${String(Math.floor(delta / 60))}m`;
  if (delta < 86400) return `${String(Math.floor(delta / 3600))}h`;
  if (delta < 14 * 86400) return `${String(Math.floor(delta / 86400))}d`;
  if (delta < 365 * 86400) return `${String(Math.floor(delta / (7 * 86400)))}w`;
  return `${String(Math.floor(delta / (365 * 86400)))}y`;
}

/** The commit's own local time, with its offset, e.g. `2026-11-20 17:04 +01:00`. */
export function localTime(seconds: number, offsetSeconds: number): string {
  const shifted = new Date((seconds + offsetSeconds) * 1000).toISOString();
  const sign = offsetSeconds < 0 ? "-" : "+";
  const abs = Math.abs(offsetSeconds);
  const hh = String(Math.floor(abs / 3600)).padStart(2, "0");
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, "0");
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 16)} ${sign}${hh}:${mm}`;
}
