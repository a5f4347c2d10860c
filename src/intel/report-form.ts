// The public report form: a plain page that posts to the community report API (works without the console).
export const REPORT_FORM = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Report a package</title>
<style>body{font:16px system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}input,select,textarea{width:100%;padding:.4rem;font:inherit}textarea{min-height:10rem}button{margin-top:1rem;padding:.5rem 1.2rem;font:inherit}#out{margin-top:1rem;white-space:pre-wrap}</style>
</head><body>
<h1>Report a malicious package</h1>
<p>Tell the registry's security team what you found. Reports are read by people; please include where the code is and what it does.</p>
<form id="f">
<label for="ecosystem">Ecosystem</label><select id="ecosystem" name="ecosystem"><option value="npm">npm</option><option value="pypi">PyPI</option><option value="rubygems">RubyGems</option></select>
<label for="package">Package</label><input id="package" name="package" required>
<label for="version">Version (optional)</label><input id="version" name="version">
<label for="kind">Kind</label><select id="kind" name="kind"><option>malware</option><option>typosquat</option><option>dependency-confusion</option><option>account-takeover</option><option>spam</option><option>other</option></select>
<label for="evidence">Evidence</label><textarea id="evidence" name="evidence" required minlength="10"></textarea>
<label for="email">Email for the outcome (optional)</label><input id="email" name="email" type="email">
<button type="submit">Send report</button>
</form>
<div id="out" role="status"></div>
<script>
document.getElementById('f').addEventListener('submit', async (e) => {
  e.preventDefault()
  const data = Object.fromEntries(new FormData(e.target))
  if (!data.version) delete data.version
  const res = await fetch('api/v1/intel/reports'.replace(/^/, location.pathname.replace(/report$/, '')), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) })
  const out = await res.json()
  document.getElementById('out').textContent = res.ok ? out.message + (out.receipt ? '\\nReceipt: ' + out.receipt + ' (report #' + out.report.id + ')' : '') : 'Not sent: ' + out.error
})
</script>
</body></html>
`
