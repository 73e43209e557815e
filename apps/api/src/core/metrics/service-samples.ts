/**
 * Prometheus text narrowed to the services a caller may see: the MCP metrics carry a `service`
 * label, and a user limited to some services must not learn the others' names or traffic from them.
 */

/** The `service` label of a sample line, in Prometheus's escaped form (`\\`, `\"`, `\n`). */
const SERVICE_LABEL = /[{,]service="((?:[^"\\]|\\.)*)"/;

/** Drops each sample whose `service` label the predicate refuses; comments and unlabelled samples stay. */
export function samplesOfServices(text: string, allowed: (service: string) => boolean): string {
  return text
    .split('\n')
    .filter((line) => {
      if (line.startsWith('#')) return true;
      const match = SERVICE_LABEL.exec(line);
      return !match || allowed(unescapeLabel(match[1]));
    })
    .join('\n');
}

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
}
