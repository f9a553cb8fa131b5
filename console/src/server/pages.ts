// The two HTML documents: the login form (answered with 401 to anyone without a session) and the
// shell the app renders into.

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

export function loginPage(error = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Local platform console: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px system-ui,sans-serif;background:#f2f3f3;display:grid;place-items:center;height:100vh;margin:0}
form{background:#fff;padding:24px 28px;border-radius:8px;box-shadow:0 1px 4px #0002;width:360px}
label{display:block;margin:12px 0 4px;font-weight:600}input{width:100%;box-sizing:border-box;padding:7px;font:inherit}
button{margin-top:16px;padding:8px 16px;background:#0972d3;color:#fff;border:0;border-radius:16px;font:inherit;font-weight:600}
.error{color:#d91515;margin-top:12px}
p{color:#5f6b7a;font-size:13px}
</style></head><body>
<form method="post" action="/login">
<h1 style="font-size:20px;margin:0">Local platform console</h1>
<p>Sign in with the local region's access key (profile <code>local</code> in <code>.local-region/credentials</code>).</p>
<label for="accessKeyId">Access key ID</label><input id="accessKeyId" name="accessKeyId" autocomplete="username" required>
<label for="secretAccessKey">Secret access key</label><input id="secretAccessKey" name="secretAccessKey" type="password" autocomplete="current-password" required>
${error ? `<div class="error" id="login-error">${escapeHtml(error)}</div>` : ""}
<button id="login" type="submit">Sign in</button>
</form></body></html>`;
}

export function appShell(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Local platform console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/app.css"></head>
<body><div id="app"></div><script type="module" src="/app.js"></script></body></html>`;
}
