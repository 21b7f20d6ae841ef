// Text shortened for display, the same way wherever the page shows it.

/** `value` if it has at most `limit` code points; otherwise its first
 * `limit - 1` and "…". Counting code points rather than UTF-16 units never
 * leaves half a surrogate pair; a character drawn from several code points,
 * such as a flag or a ZWJ family, can still be cut between them. */
export function excerpt(value, limit) {
  const chars = Array.from(value);
  return chars.length <= limit ? value : `${chars.slice(0, limit - 1).join("")}…`;
}
