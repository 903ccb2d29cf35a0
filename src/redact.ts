// Secrets never reach a message: a URL's password becomes ****, and so does any registered secret
// (the database password) wherever it appears in text from a driver.

const registered = new Set<string>()

/** Remembers a secret so that redact() hides it from every later message. */
export function registerSecret(secret: string | undefined | null): void {
  if (secret && secret.length >= 3) registered.add(secret)
}

/** `scheme://user:pass@host` → `scheme://user:****@host`; also for the `h:pass@` form. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^@/?#]*@/i, '$1****@')
}

export function redact(text: string): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@/?#\s]*@/gi, '$1****@')
  for (const secret of registered) out = out.split(secret).join('****')
  for (const secret of registered) {
    const encoded = encodeURIComponent(secret)
    if (encoded !== secret) out = out.split(encoded).join('****')
  }
  return out
}
