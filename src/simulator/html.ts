/**
 * The few HTML pages of the simulated landing page (docs/privy-contract.md §3.1 `registration_url`). Real Privy
 * collects KTP and selfie here; the simulator only needs a page a person or a headless browser can
 * finish with one button.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character)
}

/** Shows enough for the user to recognise the address without putting it whole on a shared screen. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@')
  if (at <= 0) return '***'
  return `${email.slice(0, 1)}***${email.slice(at)}`
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`
}

export function landingPage(landingToken: string, email: string): string {
  return page(
    'Privy registration (simulator)',
    `<p>Finish the registration for <strong id="email">${escapeHtml(maskEmail(email))}</strong>.</p>
<form method="post" action="/registration/${encodeURIComponent(landingToken)}/finish">
<button type="submit">Finish registration</button>
</form>`,
  )
}

export function thankYouPage(email: string): string {
  return page(
    'Thank you',
    `<p>Thank you. The registration for <strong>${escapeHtml(maskEmail(email))}</strong> was submitted and is waiting for verification.</p>`,
  )
}

export function alreadySubmittedPage(status: string): string {
  return page('Registration already submitted', `<p>This registration is ${escapeHtml(status)}.</p>`)
}

/**
 * What `signing_url` shows. In this simulator a signer signs through the docs/privy-contract.md §4.2 OTP API (or
 * `/__sim`), so the page only says what the document is and where it stands.
 */
export function signingPage(documentName: string, status: string): string {
  return page(
    'Privy signing (simulator)',
    `<p>Document <strong id="document-name">${escapeHtml(documentName)}</strong> is <strong id="status">${escapeHtml(status)}</strong>.</p>
<p>Signing happens with the OTP sent to each signer.</p>`,
  )
}

export function signingNotFoundPage(): string {
  return page('Document not found', '<p>This signing link is unknown or no longer valid.</p>')
}

export function notFoundPage(): string {
  return page('Registration not found', '<p>This registration link is unknown or no longer valid.</p>')
}

/** The pages take no scripts, frames or third-party content; the token in the URL must not leak. */
export const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
} as const
