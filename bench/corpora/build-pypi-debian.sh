#!/usr/bin/env bash
# Builds a benign PyPI-sdist corpus from Debian bookworm source packages: the upstream
# `.orig.tar.*` of a Debian Python library is (usually) the project's real PyPI sdist, or its
# release tarball. Nothing in the archives is run.
#
#   1. Enables deb-src for bookworm main (/etc/apt/sources.list.d/gatehouse-src.list, mirroring
#      the existing `deb` entry) and runs `apt-get update` if no Sources index is there yet.
#   2. Candidates: bench/corpora/pypi-debian/candidates.tsv, pinned (tier, source package, Debian
#      version, pool path of the .orig.tar.*, size, sha256). Tier 1 = sources named python-* that
#      build python3-* binaries; tier 2 = other sources whose binaries are all python3-* (+ -doc),
#      each tier in a fixed pseudo-random order (sha256 of the name); upstream tarballs > 20 MiB
#      left out. A source whose pinned version has left the index is taken at its current version.
#      REFRESH=1 rewrites candidates.tsv from the current Sources index.
#   3. Downloads each .orig.tar.* with apt's own downloader (apt-helper download-file, sha256
#      checked), 4 at a time (xargs -P 4), until TARGET (default 1000) archives are in. Archives the
#      mirror does not serve (404) are recorded and skipped (RETRY_FAILED=1 tries them again).
#   4. Keeps only archives with setup.py, pyproject.toml, setup.cfg or PKG-INFO at their top, and
#      rewrites each as an sdist would look: gzip'd tar, one top dir <name>-<version>/, regular files
#      and dirs only (symlinks/hardlinks/devices dropped, as sdist builders dereference them), name
#      and version from PKG-INFO, else pyproject.toml/setup.cfg (for the name also setup(name=…) in
#      setup.py, a literal or a constant assigned there), else the Debian names (python-
#      prefix and +dfsg/+ds/+repack suffixes removed). Results over 20 MiB are dropped.
#   Output: OUT/packages/<name>/<version>/<name>-<version>.tar.gz and OUT/packages/labels.jsonl
#     {"ecosystem":"pypi","name","version","file":"<name>/<version>/<file>",
#      "source":"debian:<srcpkg>/<debian version>","sha256","pkg_info":<had PKG-INFO>}
#   OUT/state/ holds one marker per tried source (<src>.json kept, <src>.skip with the reason):
#   re-running resumes and skips what is done.
# Usage (as root, Debian bookworm with apt and python3): build-pypi-debian.sh OUT
# Time: about 4 min on 2 cores (all 3,149 candidates tried; 938 sdists, 340 MiB); a re-run: seconds.
set -euo pipefail
OUT=${1:?usage: build-pypi-debian.sh OUT}
TARGET=${TARGET:-1000}
PY=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}   # Debian's python3 (3.11: tomllib)
here=$(cd "$(dirname "$0")" && pwd)
PINNED=$here/pypi-debian/candidates.tsv
mkdir -p "$OUT/packages" "$OUT/state" "$OUT/tmp"
OUT=$(cd "$OUT" && pwd)

# 1. deb-src for bookworm main
sources_file() { apt-get indextargets --format '$(FILENAME)' 'Identifier: Sources' 'Release: bookworm' 'Component: main' 2>/dev/null | head -1; }
if [ -z "$(sources_file)" ]; then
  repo=$(apt-get indextargets --format '$(REPO_URI)' 'Identifier: Packages' 'Release: bookworm' 'Component: main' | head -1)
  repo=${repo:-http://deb.debian.org/debian/}
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $repo bookworm main" >/etc/apt/sources.list.d/gatehouse-src.list
  echo "added deb-src $repo bookworm main" >&2
fi
idx=$(sources_file)
if [ ! -s "$idx" ]; then apt-get update -qq; idx=$(sources_file); fi
[ -s "$idx" ] || { echo "no bookworm Sources index after apt-get update" >&2; exit 1; }
REPO_URI=$(apt-get indextargets --format '$(REPO_URI)' 'Identifier: Sources' 'Release: bookworm' 'Component: main' | head -1)

# 2. candidates (pinned) merged with the current index -> OUT/state/plan.tsv
/usr/lib/apt/apt-helper cat-file "$idx" | REFRESH=${REFRESH:-} "$PY" -c '
import hashlib, os, re, sys
pinned, plan = sys.argv[1], sys.argv[2]
MAX = 20 << 20
cur = {}
for st in sys.stdin.read().split("\n\n"):
    f = dict(re.findall(r"^(Package|Version|Binary|Directory|Extra-Source-Only): (.*)$", st, re.M))
    if "Package" not in f or f.get("Extra-Source-Only") == "yes": continue
    src, bins = f["Package"], [b.strip() for b in f.get("Binary", "").split(",") if b.strip()]
    sha = {m[2]: (m[0], int(m[1])) for m in re.findall(r"^ ([0-9a-f]{64}) (\d+) (\S+)$", st.split("Checksums-Sha256:")[-1], re.M)}
    orig = [n for n in sha if re.fullmatch(r"[^/]+\.orig\.tar\.(gz|xz|bz2)", n)]
    if not orig or not any(b.startswith("python3-") for b in bins): continue
    if src.startswith("python-"): tier = 1
    elif all(b.startswith("python3-") or (b.startswith("python-") and b.endswith("-doc")) for b in bins): tier = 2
    else: continue
    h, size = sha[orig[0]]
    cur[src] = (str(tier), src, f["Version"], f["Directory"] + "/" + orig[0], str(size), h)
if os.environ.get("REFRESH") or not os.path.exists(pinned):
    rows = sorted((r for r in cur.values() if int(r[4]) <= MAX), key=lambda r: (r[0], hashlib.sha256(r[1].encode()).hexdigest()))
    os.makedirs(os.path.dirname(pinned), exist_ok=True)
    with open(pinned, "w") as fh:
        fh.write("# tier\tsource\tdebian_version\tpool_path\tsize\tsha256  (written by build-pypi-debian.sh from the bookworm Sources index)\n")
        fh.writelines("\t".join(r) + "\n" for r in rows)
    print(f"wrote {len(rows)} candidates to {pinned}", file=sys.stderr)
n = moved = gone = 0
with open(pinned) as fh, open(plan, "w") as out:
    for line in fh:
        if line.startswith("#") or not line.strip(): continue
        r = tuple(line.rstrip("\n").split("\t"))
        if r[1] not in cur: gone += 1; continue
        if cur[r[1]][2] != r[2]: r = (r[0],) + cur[r[1]][1:]; moved += 1
        if int(r[4]) > MAX: continue
        out.write("\t".join(r) + "\n"); n += 1
print(f"{n} candidates ({moved} at a newer Debian version than pinned, {gone} no longer in the index)", file=sys.stderr)
' "$PINNED" "$OUT/state/plan.tsv"

if [ -n "${RETRY_FAILED:-}" ]; then grep -l '^download failed' "$OUT"/state/*.skip 2>/dev/null | xargs -r rm -f; fi

# 3+4. one worker per candidate: download, check, rewrite as an sdist
CONVERT_PY=$(cat <<'PY'
import gzip, hashlib, io, json, os, re, sys, tarfile, tomllib, configparser
from email.parser import HeaderParser
arch, out, src, debver = sys.argv[1:5]
MAX = 20 << 20
def skip(msg): print("SKIP " + msg); sys.exit(0)
try:
    tin = tarfile.open(arch, "r:*")
    members = tin.getmembers()
except Exception as e: skip(f"unreadable archive: {e}")
def parts(n): return [p for p in n.split("/") if p not in ("", ".")]
tops = {parts(m.name)[0] for m in members if parts(m.name)}
strip = 1 if len(tops) == 1 and any(len(parts(m.name)) > 1 for m in members) else 0
def rel(m): return "/".join(parts(m.name)[strip:])
by = {rel(m): m for m in members if m.isfile()}
def text(n):
    m = by.get(n)
    return tin.extractfile(m).read().decode("utf-8", "replace") if m else None
if not any(k in by for k in ("setup.py", "pyproject.toml", "setup.cfg", "PKG-INFO")):
    skip("no setup.py/pyproject.toml/setup.cfg/PKG-INFO at the top")
OK_NAME, OK_VER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$"), re.compile(r"[A-Za-z0-9][A-Za-z0-9.+!_-]*$")
name = version = None
from_debian = False
pkg_info = text("PKG-INFO")
if pkg_info:
    h = HeaderParser().parsestr(pkg_info)
    name, version = (h.get("Name") or "").strip(), (h.get("Version") or "").strip()
if not (name and OK_NAME.match(name)) or not (version and OK_VER.match(version)):
    pj = text("pyproject.toml")
    try: proj = tomllib.loads(pj).get("project", {}) if pj else {}
    except Exception: proj = {}
    cfg = configparser.ConfigParser(interpolation=None)
    try: cfg.read_string(text("setup.cfg") or "")
    except Exception: pass
    meta = cfg["metadata"] if cfg.has_section("metadata") else {}
    if not (name and OK_NAME.match(name)):
        name = proj.get("name") if isinstance(proj.get("name"), str) else meta.get("name", "")
    if not (name and OK_NAME.match(name)):
        # setup(name="...") spelt out in setup.py: the name a build of this tree would give it
        sp = text("setup.py") or ""
        call = next((m for m in re.finditer(r"(?<!\w)setup\s*\(", sp) if not sp[:m.start()].rstrip().endswith("def")), None)
        arg = re.search(r"\bname\s*=\s*(?:[\"']([A-Za-z0-9][A-Za-z0-9._-]*)[\"']|([A-Za-z_]\w*)\s*[,)\n])", sp[call.end():]) if call else None
        if arg and arg.group(2):
            # name=PACKAGE with PACKAGE = "..." assigned at the top of setup.py
            const = re.search(r"^" + arg.group(2) + r"\s*=\s*[\"']([A-Za-z0-9][A-Za-z0-9._-]*)[\"']\s*$", sp, re.M)
            name = const.group(1) if const else name
        elif arg:
            name = arg.group(1)
    if not (version and OK_VER.match(version)):
        version = proj.get("version") if isinstance(proj.get("version"), str) else meta.get("version", "")
    name, version = (name or "").strip(), (version or "").strip()
if not OK_NAME.match(name or ""): name = re.sub(r"^python-", "", src)
if not OK_VER.match(version or ""):
    up = debver.split(":", 1)[-1].rsplit("-", 1)[0]
    version = re.sub(r"[+~.](dfsg|ds|repack)\d*.*$", "", up).replace("~", "")
    from_debian = True
# Debian snapshot versions (0.2git20160124.8980cb2, 0.5.1.54.g802fa86, 0.0.63-hotfix) are not PEP 440; an sdist
# builder would refuse them. Keep the release part and move the rest into a local label: 0.2+git20160124.8980cb2.
PEP440 = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?(\+[A-Za-z0-9]+(\.[A-Za-z0-9]+)*)?$")
if from_debian and OK_VER.match(version or "") and not PEP440.match(version):
    m = re.match(r"^(\d+(?:\.\d+)*)(.*)$", version)
    local = re.sub(r"[^A-Za-z0-9]+", ".", m.group(2)).strip(".") if m else ""
    if m and local: version = f"{m.group(1)}+{local}"
if not OK_NAME.match(name) or not OK_VER.match(version): skip(f"no usable name/version ({name!r} {version!r})")
fname = f"{name}-{version}.tar.gz"
ddir = os.path.join(out, "packages", name, version)
dest = os.path.join(ddir, fname)
if os.path.exists(dest): skip(f"duplicate {name} {version} (already from another source package)")
os.makedirs(ddir, exist_ok=True)
top, dropped, n = f"{name}-{version}", 0, 0
tmp = dest + ".part"
with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz, \
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tout:  # byte-reproducible
    for m in members:
        r = rel(m)
        if not r or ".." in r.split("/"): continue
        if not (m.isfile() or m.isdir()): dropped += 1; continue
        m2 = tarfile.TarInfo(f"{top}/{r}")
        m2.mode, m2.mtime, m2.type = m.mode, m.mtime, m.type
        if m.isfile():
            m2.size = m.size; tout.addfile(m2, tin.extractfile(m)); n += 1
        else: tout.addfile(m2)
size = os.path.getsize(tmp)
if size > MAX: os.remove(tmp); os.rmdir(ddir); skip(f"converted archive {size} bytes > 20 MiB")
os.replace(tmp, dest)
sha = hashlib.sha256(open(dest, "rb").read()).hexdigest()
print(json.dumps({"ecosystem": "pypi", "name": name, "version": version, "file": f"{name}/{version}/{fname}",
                  "source": f"debian:{src}/{debver}", "sha256": sha, "pkg_info": bool(pkg_info)}, separators=(",", ":")))
PY
)
export OUT TARGET REPO_URI CONVERT_PY PY
one() {
  local tier=$1 src=$2 ver=$3 pool=$4 size=$5 sha=$6 st=$OUT/state/$2
  [ -e "$st.json" ] || [ -e "$st.skip" ] && return 0
  local have; have=$(find "$OUT/state" -maxdepth 1 -name '*.json' | wc -l)
  [ "$have" -ge "$TARGET" ] && return 0
  local tmp; tmp=$(mktemp -d "$OUT/tmp/$src.XXXX")
  local arch=$tmp/${pool##*/}
  if ! /usr/lib/apt/apt-helper -qq download-file "$REPO_URI$pool" "$arch" "SHA256:$sha" >"$tmp/dl.log" 2>&1; then
    echo "download failed: $(grep -m1 -o '404  Not Found\|Hash Sum mismatch\|Could not [^[]*' "$tmp/dl.log" || echo error)" >"$st.skip"
    rm -rf "$tmp"; return 0
  fi
  local res; res=$("$PY" -c "$CONVERT_PY" "$arch" "$OUT" "$src" "$ver" 2>"$tmp/err.log") || res="SKIP convert error: $(tail -1 "$tmp/err.log")"
  case $res in
    SKIP\ *) echo "${res#SKIP }" >"$st.skip" ;;
    *) printf '%s\n' "$res" >"$st.json.part" && mv "$st.json.part" "$st.json"; echo "$src ok" ;;
  esac
  rm -rf "$tmp"
}
export -f one
start=$(date +%s)
xargs -P 4 -L 1 bash -c 'one "$@"' _ <"$OUT/state/plan.tsv" >"$OUT/state/progress.log"

find "$OUT/state" -maxdepth 1 -name '*.json' -print0 | sort -z | xargs -0 -r cat >"$OUT/packages/labels.jsonl.part"
mv "$OUT/packages/labels.jsonl.part" "$OUT/packages/labels.jsonl"
rmdir "$OUT/tmp" 2>/dev/null || true
echo "$(wc -l <"$OUT/packages/labels.jsonl") sdists in $OUT/packages ($(du -sh "$OUT/packages" | cut -f1)); $(($(date +%s) - start)) s this run" >&2
echo "skipped, by reason:" >&2
find "$OUT/state" -maxdepth 1 -name '*.skip' -print0 | xargs -0 -r cat | sed 's/ (.*//; s/ [0-9]* bytes//' | sort | uniq -c | sort -rn >&2 || true
