const pad = (value: number) => (value < 10 ? `0${value}` : String(value));

/** The wire form CONTRACT.md asks for: `YYYY-MM-DD HH:MM:SS` in the server's zone (TZ). */
export function wireTime(stored: string | null | undefined): string {
  if (!stored) return '';
  const at = new Date(stored);
  if (Number.isNaN(at.getTime())) return '';
  return (
    `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ` +
    `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`
  );
}
