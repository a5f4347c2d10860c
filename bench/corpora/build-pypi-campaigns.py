#!/usr/bin/env python3
"""Builds a malicious PyPI set held out by campaign: the archives of the full pypi_malregistry dataset that
are not in shared/corpus/pypi-malicious and share no code with any sample there.

    python3 bench/corpora/build-pypi-campaigns.py DATASET_GIT_DIR SHARED_LABELS OUT

DATASET_GIT_DIR  a git directory of lxyeternal/pypi_malregistry (the commit shared/corpus was drawn from,
                 b11283f0); read with `git cat-file`, never checked out
SHARED_LABELS    shared/corpus/pypi-malicious/labels.jsonl (the development corpus)
OUT              output folder, outside the project: OUT/<name>/<version>/<file> (the archive's bytes as
                 stored, mode 0444, but for the nested wheels of `unnested_wheel`, rebuilt) and OUT/labels.jsonl
                 {ecosystem, name, version, file, sha256, cluster, date[, dataset_file, dataset_sha256]}

Nothing is extracted or run: archives are read in memory (tarfile/zipfile over bytes) to tokenize their .py
files with Python's own tokenizer. Each .py file gets two shapes: `fine` (names kept; strings and numbers
masked) and `coarse` (names masked too; keywords kept). A sample is dropped as seen when any of its files
(≥ 1 token for fine, ≥ 20 tokens for coarse) has a shape some development sample's file has: so a variant
of a development campaign, or a package sharing a mere template with one, is left out. The rest are grouped
into campaigns by shared shapes (union-find); `cluster` is `x<index>` of the group's first member in the
dataset's tree order, so the same inputs give the same ids. `date` is the newest plausible member mtime.

Handle the output as live malware: never install, import or unpack it where a package manager or test runner
reads (see shared/corpus/README.md). Time: about 9 minutes for the 11,700 archives on 2 cores.
"""
import datetime, hashlib, io, json, keyword, os, re, subprocess, sys, tarfile, tokenize, zipfile

LOW, HIGH = datetime.datetime(2005, 1, 1).timestamp(), datetime.datetime(2026, 1, 1).timestamp()
ARCHIVE = re.compile(r'\.(tar\.gz|tgz|zip|whl|egg|tar\.bz2)$')
FINE_MIN, COARSE_MIN = 1, 20


def shapes(src: bytes):
    """(token count, fine shape, coarse shape) of one Python file."""
    text = src.decode('utf-8', 'replace')
    fine, coarse = [], []
    try:
        skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER, tokenize.ENCODING}
        strings = {tokenize.STRING} | {getattr(tokenize, t) for t in ('FSTRING_START', 'FSTRING_MIDDLE', 'FSTRING_END') if hasattr(tokenize, t)}
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in skip:
                continue
            if tok.type in strings:
                fine.append('S'); coarse.append('S')
            elif tok.type == tokenize.NUMBER:
                fine.append('0'); coarse.append('0')
            elif tok.type == tokenize.NAME:
                fine.append(tok.string); coarse.append(tok.string if keyword.iskeyword(tok.string) else 'N')
            else:
                fine.append(tok.string); coarse.append(tok.string)
    except Exception:
        # Python 2 or broken source: a rougher tokenization of the same kind
        s = re.sub(r'#[^\n]*', '', text)
        s = re.sub(r'("""|\'\'\')[\s\S]*?\1|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', ' S ', s)
        for x in re.findall(r'[A-Za-z_]\w*|\d[\w.]*|\S', s):
            if x == 'S': fine.append('S'); coarse.append('S')
            elif x[0].isdigit(): fine.append('0'); coarse.append('0')
            elif re.match(r'[A-Za-z_]', x): fine.append(x); coarse.append(x if keyword.iskeyword(x) else 'N')
            else: fine.append(x); coarse.append(x)
    digest = lambda xs: hashlib.sha1(' '.join(xs).encode()).hexdigest()[:16]
    return len(fine), digest(fine), digest(coarse)


def members(data: bytes):
    """(mtime, .py source or None) per member; zips are recognised by content (some wheels are named .tar.gz)."""
    if data[:2] == b'PK':
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for i in z.infolist():
                ts = datetime.datetime(*i.date_time).timestamp() if i.date_time[0] >= 1980 else 0
                yield ts, (z.read(i) if i.filename.endswith('.py') and i.file_size < 4_000_000 else None)
    else:
        with tarfile.open(fileobj=io.BytesIO(data), mode='r:*') as t:
            for m in t:
                py = m.isfile() and m.name.endswith('.py') and m.size < 4_000_000
                yield m.mtime, (t.extractfile(m).read() if py else None)


def archive_files(data: bytes):
    """(name, bytes) of every file of an archive, zip or tar."""
    if data[:2] == b'PK':
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [(i.filename, z.read(i)) for i in z.infolist() if not i.is_dir()]
    with tarfile.open(fileobj=io.BytesIO(data), mode='r:*') as t:
        return [(m.name, t.extractfile(m).read()) for m in t if m.isfile()]


def unnested_wheel(data: bytes):
    """
    Some of the dataset's samples are wheels it unpacked and packed again with every file nested under a folder
    named as the file's own path (`pylibscate-1.1.0/pylibscate/__init__.py/pylibscate/__init__.py`), beside its own
    `package_info-*.json`: no module then sits where Python would import it from, so an import-time payload reads
    as code nothing runs. Returns (file name, bytes) of the wheel rebuilt with each file at its path, or None for
    any other archive. Only the layout changes: the files' bytes (and so the code shapes above) are the same.
    """
    try:
        files = archive_files(data)
    except Exception:
        return None
    wheel = {}
    for name, content in files:
        parts = name.split('/')[1:]  # below the archive's top folder
        if len(parts) == 1 and parts[0].startswith('package_info-') and parts[0].endswith('.json'):
            continue
        half = len(parts) // 2
        if len(parts) < 2 or len(parts) % 2 or parts[:half] != parts[half:]:
            return None
        wheel['/'.join(parts[:half])] = content
    record = next((n for n in wheel if re.fullmatch(r'[^/]+\.dist-info/RECORD', n)), None)
    if record is None:
        return None
    tag = re.search(rb'^Tag: *(\S+)', wheel.get(record.replace('RECORD', 'WHEEL'), b''), re.M)
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        for name in sorted(wheel):
            z.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), wheel[name])
    return '%s-%s.whl' % (record.split('.dist-info')[0], tag.group(1).decode() if tag else 'py3-none-any'), out.getvalue()


def keys(files):
    out = set()
    for n, fine, coarse in files:
        if n >= FINE_MIN: out.add('f' + fine)
        if n >= COARSE_MIN: out.add('c' + coarse)
    return out


def main():
    repo, shared_labels, out = sys.argv[1:4]
    shared = {json.loads(line)['sha256'] for line in open(shared_labels) if line.strip()}
    tree = subprocess.run(['git', '--git-dir', repo, 'ls-tree', '-r', '-z', 'HEAD'], capture_output=True, text=True, check=True).stdout
    entries = []
    for line in filter(None, tree.split('\0')):
        meta, path = line.split('\t', 1)
        _, kind, oid = meta.split()
        if kind == 'blob' and ARCHIVE.search(path): entries.append((oid, path))
    cat = subprocess.Popen(['git', '--git-dir', repo, 'cat-file', '--batch'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    records = []
    for oid, path in entries:
        cat.stdin.write((oid + '\n').encode()); cat.stdin.flush()
        header = cat.stdout.readline().split()
        if len(header) < 3 or header[1] != b'blob': continue  # absent from the snapshot (large files)
        data = cat.stdout.read(int(header[2])); cat.stdout.read(1)
        files, newest = [], 0
        try:
            for ts, src in members(data):
                if LOW < ts < HIGH: newest = max(newest, ts)
                if src is not None: files.append(shapes(src))
        except Exception:
            continue  # unreadable archive: not a sample
        records.append({'path': path, 'oid': oid, 'sha256': hashlib.sha256(data).hexdigest(), 'files': files,
                        'date': datetime.datetime.utcfromtimestamp(newest).strftime('%Y-%m-%dT%H:%M:%SZ') if newest else None})
    seen = set()
    for r in records:
        if r['sha256'] in shared: seen |= keys(r['files'])
    fresh = [r for r in records if r['sha256'] not in shared and not (keys(r['files']) & seen)]
    parent = list(range(len(fresh)))
    def find(i):
        while parent[i] != i: parent[i] = parent[parent[i]]; i = parent[i]
        return i
    owner = {}
    for i, r in enumerate(fresh):
        for k in sorted(keys(r['files'])):
            if k in owner:
                a, b = find(i), find(owner[k])
                parent[max(a, b)] = min(a, b)  # the root is the group's first member: ids do not depend on merge order
            else: owner[k] = i
    os.makedirs(out, exist_ok=True)
    unnested = 0
    with open(os.path.join(out, 'labels.jsonl'), 'w') as labels:
        for i, r in enumerate(fresh):
            data = subprocess.run(['git', '--git-dir', repo, 'cat-file', 'blob', r['oid']], capture_output=True, check=True).stdout
            file, rebuilt = r['path'], unnested_wheel(data)
            if rebuilt:
                file, data = os.path.join(os.path.dirname(r['path']), rebuilt[0]), rebuilt[1]
                unnested += 1
            dest = os.path.join(out, file)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            if os.path.exists(dest): os.chmod(dest, 0o644)
            with open(dest, 'wb') as f: f.write(data)
            os.chmod(dest, 0o444)
            name, version = r['path'].split('/')[:2]
            label = {'ecosystem': 'pypi', 'name': name, 'version': version, 'file': file, 'sha256': hashlib.sha256(data).hexdigest(), 'cluster': 'x%d' % find(i), 'date': r['date']}
            if rebuilt: label |= {'dataset_file': r['path'], 'dataset_sha256': r['sha256']}
            labels.write(json.dumps(label) + '\n')
    print(f'{len(records)} readable archives, {len(records) - len(fresh)} in the development corpus or sharing code with it, '
          f'{len(fresh)} held out in {len(set(find(i) for i in range(len(fresh))))} campaigns '
          f'({unnested} nested wheels rebuilt with their files in place)', file=sys.stderr)


main()
