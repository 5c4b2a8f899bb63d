const SCHEME = /^(mongodb(?:\+srv)?:\/\/)/;

/** The URI with any password replaced, fit for logs and error messages. */
export function redactUri(uri: string): string {
  // The credentials end at the last "@" before the options: a password with an unescaped "/" or "@"
  // (which the driver rejects) must not slip through either.
  const redacted = uri.replace(/^(mongodb(?:\+srv)?:\/\/)([^?]*)@/, (_match, scheme: string, auth: string) => hide(scheme, auth));
  if (redacted !== uri) return redacted;
  // A "?" in the password hides its "@" from the rule above. A ":" before the first "@" may be a
  // password's: then everything up to the last "@" goes. It may hide a host's port too; a secret
  // shown is worse than a host hidden.
  const rest = uri.replace(SCHEME, '');
  const at = rest.indexOf('@');
  if (rest === uri || at < 0 || !rest.slice(0, at).includes(':')) return uri;
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)(.*)@/, (_match, scheme: string, auth: string) => hide(scheme, auth));
}

function hide(scheme: string, auth: string): string {
  const user = auth.split(':')[0];
  return `${scheme}${user}${auth.includes(':') ? ':***' : ''}@`;
}
