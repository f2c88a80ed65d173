/**
 * Proxy routing: which hosts go through the source's proxy. `nonProxyHosts` follows the JVM's
 * http.nonProxyHosts rules: exact host names, or `*`
 * wildcards at either end (`*.internal`, `10.0.*`), case-insensitive.
 */

/** True when `host` matches one of the `nonProxyHosts` patterns and so bypasses the proxy. */
export function bypassesProxy(host: string, nonProxyHosts: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return nonProxyHosts.some((pattern) => {
    // The JVM allows "a|b" in one entry; configs copied from Java tools use that form, so accept it too.
    return pattern.split('|').some((part) => globMatch(name, part.trim().toLowerCase()));
  });
}

function globMatch(name: string, pattern: string): boolean {
  if (pattern === '') return false;
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`);
  return regex.test(name);
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
