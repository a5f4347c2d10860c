#!/usr/bin/env bash
# Builds benign npm corpus B: real packages exactly as an ordinary npm client gets them.
# `npm install --ignore-scripts` of the pinned project in npm-b/ (package.json + package-lock.json:
# .npmrc with legacy-peer-deps=true; ~60 large popular projects such as gatsby, nuxt, firebase, aws-cdk-lib, react-native, nx, lerna,
# cypress, sqlite3, canvas, and their whole dependency trees), then every unique name@version is
# copied, without its nested node_modules, to OUT/packages/<name with / as __>@<version>/ and listed
# in OUT/packages/labels.jsonl as
#   {"ecosystem":"npm","name","version","path","install_scripts":{preinstall|install|postinstall}}
# Every name@version already in corpus A (SKIP_LABELS, default
# /work/corpora/benign-npm-a/packages/labels.jsonl, built by shared/corpus/benign-npm/build.sh) is
# skipped when that file exists, so A and B are disjoint. No package code is run.
# Usage: build-npm-b.sh OUT      Needs Node 20+, npm, and the npm registry.
# Time: about 5 min on 2 cores (install ~4 min, copy ~1 min); 1,691 packages disjoint from A
# (991 skipped), 1.6 GiB in OUT/packages plus 2.0 GiB of install in OUT/src (delete it if short of disk).
set -euo pipefail
OUT=${1:?usage: build-npm-b.sh OUT}
SKIP_LABELS=${SKIP_LABELS:-/work/corpora/benign-npm-a/packages/labels.jsonl}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT/src"
OUT=$(cd "$OUT" && pwd)
# .npmrc: legacy-peer-deps=true (gatsby wants react 18, react-native react 19; the lock was made so)
cp "$here/npm-b/package.json" "$here/npm-b/package-lock.json" "$here/npm-b/.npmrc" "$OUT/src/"
echo "npm install --ignore-scripts in $OUT/src (log: $OUT/src/install.log)" >&2
(cd "$OUT/src" && npm install --ignore-scripts --no-audit --no-fund >install.log 2>&1) || { tail -20 "$OUT/src/install.log"; exit 1; }
node - "$OUT" "$SKIP_LABELS" <<'JS'
const fs = require('fs'), path = require('path');
const [out, skipFile] = process.argv.slice(2);
const dest = path.join(out, 'packages'), seen = new Map(), skip = new Set();
if (fs.existsSync(skipFile)) {
  for (const line of fs.readFileSync(skipFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const j = JSON.parse(line); skip.add(`${j.name}@${j.version}`);
  }
  console.error(`skipping the ${skip.size} name@version already in ${skipFile}`);
} else console.error(`no ${skipFile}: nothing skipped`);
let skipped = 0;
function walk(nm) {
  let ents = []; try { ents = fs.readdirSync(nm).sort(); } catch { return; }
  for (const e of ents) {
    const p = path.join(nm, e); if (e.startsWith('.')) continue;
    const st = fs.lstatSync(p); if (!st.isDirectory()) continue;
    if (e.startsWith('@')) for (const s of fs.readdirSync(p).sort()) pkg(path.join(p, s)); else pkg(p);
  }
}
function pkg(d) {
  try {
    if (!fs.lstatSync(d).isDirectory()) return;
    const j = JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8'));
    const id = `${j.name}@${j.version}`;
    if (typeof j.name === 'string' && typeof j.version === 'string' && !seen.has(id)) {
      if (skip.has(id)) { skipped++; seen.set(id, null); } else seen.set(id, { d, j });
    }
  } catch {}
  walk(path.join(d, 'node_modules'));
}
function copy(src, dst, top = true) {
  fs.mkdirSync(dst, { recursive: true });
  for (const e of fs.readdirSync(src)) {
    if (top && e === 'node_modules') continue;
    const s = path.join(src, e), t = path.join(dst, e), st = fs.lstatSync(s);
    if (st.isDirectory()) copy(s, t, false); else if (st.isFile()) fs.copyFileSync(s, t);
  }
}
walk(path.join(out, 'src', 'node_modules'));
fs.rmSync(dest, { recursive: true, force: true }); fs.mkdirSync(dest, { recursive: true });
const lab = [];
for (const [, v] of [...seen].sort()) {
  if (!v) continue;
  const { d, j } = v;
  const rel = `${j.name.replace('/', '__')}@${j.version}`; copy(d, path.join(dest, rel));
  const sc = j.scripts && typeof j.scripts === 'object' ? j.scripts : {};
  const hooks = Object.fromEntries(['preinstall', 'install', 'postinstall'].filter(k => k in sc).map(k => [k, sc[k]]));
  lab.push(JSON.stringify({ ecosystem: 'npm', name: j.name, version: j.version, path: rel, install_scripts: hooks }));
}
fs.writeFileSync(path.join(dest, 'labels.jsonl'), lab.join('\n') + '\n');
console.log(`${lab.length} packages in ${dest} (${skipped} skipped as already in corpus A)`);
JS
