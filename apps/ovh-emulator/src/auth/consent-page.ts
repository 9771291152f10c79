import type { ApplicationRecord, CredentialRecord } from '../state/emulator-records';

export const VALIDITY_CHOICES = [
  { value: '3600', label: '1 hour', seconds: 3600 },
  { value: '86400', label: '1 day', seconds: 86_400 },
  { value: '2592000', label: '30 days', seconds: 2_592_000 },
  { value: 'unlimited', label: 'Unlimited', seconds: null },
] as const;

export const DEFAULT_VALIDITY = '86400';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · OVH API emulator</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
label{display:block;margin-top:.75rem;font-weight:600}
input[type=text],input[type=password]{width:100%;padding:.4rem}
fieldset{margin-top:1rem}fieldset label{display:inline;font-weight:normal}
table{border-collapse:collapse}td,th{border:1px solid #999;padding:.25rem .5rem;text-align:left}
.error{color:#a00;font-weight:600}button{margin-top:1rem;margin-right:.5rem;padding:.5rem 1rem}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export function consentPage(
  application: ApplicationRecord,
  credential: CredentialRecord,
  error?: string,
  nichandle = '',
): string {
  const rows = credential.rules
    .map((r) => `<tr><td>${escapeHtml(r.method)}</td><td><code>${escapeHtml(r.path)}</code></td></tr>`)
    .join('\n');
  const validity = VALIDITY_CHOICES.map(
    (v) =>
      `<input type="radio" id="validity-${v.value}" name="validity" value="${v.value}"${v.value === DEFAULT_VALIDITY ? ' checked' : ''}>` +
      ` <label for="validity-${v.value}">${v.label}</label><br>`,
  ).join('\n');
  const ips = credential.allowedIPs?.length
    ? `<p>Restricted to IP blocks: ${credential.allowedIPs.map(escapeHtml).join(', ')}</p>`
    : '';
  return layout(
    'Authorize application',
    `<h1>Authorize “${escapeHtml(application.name)}”</h1>
<p>${escapeHtml(application.description)}</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<h2>Requested rights</h2>
<table><thead><tr><th scope="col">Method</th><th scope="col">Path</th></tr></thead><tbody>
${rows}
</tbody></table>
${ips}
<form method="post" action="/auth/">
<input type="hidden" name="credentialToken" value="${escapeHtml(credential.credentialToken)}">
<label for="nichandle">Account ID (nichandle)</label>
<input type="text" id="nichandle" name="nichandle" autocomplete="username" required value="${escapeHtml(nichandle)}">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<fieldset><legend>Validity</legend>
${validity}
</fieldset>
<button type="submit" name="decision" value="approve">Authorize</button>
<button type="submit" name="decision" value="refuse">Refuse</button>
</form>`,
  );
}

export function messagePage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}
