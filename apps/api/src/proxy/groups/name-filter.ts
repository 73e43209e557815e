/** Which names a group or member lets through: an allow-list, a deny-list, or both (deny wins). */
export interface NameFilter {
  allow?: string[];
  deny?: string[];
}

/** `*` matches any run of characters, `?` one character; everything else is literal. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** A predicate for the filter, compiled once (filters are applied to every list and call). */
export function compileFilter(filter: NameFilter | undefined): (name: string) => boolean {
  const allow = filter?.allow?.length ? filter.allow.map(globToRegExp) : null;
  const deny = (filter?.deny ?? []).map(globToRegExp);
  return (name) => (allow === null || allow.some((re) => re.test(name))) && !deny.some((re) => re.test(name));
}
