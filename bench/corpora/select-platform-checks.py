"""
A sub-corpus of the benign corpora: the packages whose code asks which system it runs on (`win32`, `Windows_NT`,
`os.name == 'nt'`, `sys.platform`, `platform.system()`, `process.platform`, `isWindows`), the ones that can take a Windows branch on
the sandbox's Windows persona. Writes OUT/labels.jsonl naming them relative to OUT, for `gatehouse eval --benign OUT`.
Reads archives in memory; runs nothing.

    python3 bench/corpora/select-platform-checks.py OUT NPM_PACKAGES... --pypi PYPI_PACKAGES...
"""
import json
import os
import re
import sys
import tarfile
import zipfile

PLATFORM_CHECK = re.compile(rb"win32|Windows_NT|os\.name\s*==\s*['\"]nt|platform\.system\(\)|sys\.platform|process\.platform|IS_WINDOWS|isWindows", re.I)
READ = 2_000_000


def head(path):
    with open(path, 'rb') as f:
        return f.read(READ)


def npm(root, out):
    for line in open(os.path.join(root, 'labels.jsonl')):
        folder = os.path.join(root, json.loads(line)['path'])
        files = (os.path.join(d, f) for d, _, fs in os.walk(folder) if 'node_modules' not in d for f in fs if f.endswith(('.js', '.cjs', '.mjs')))
        if any(PLATFORM_CHECK.search(head(f)) for f in files if os.path.isfile(f)):
            yield {'ecosystem': 'npm', 'path': os.path.relpath(folder, out)}


def python_sources(path):
    if path.endswith('.zip'):
        with zipfile.ZipFile(path) as z:
            yield from (z.read(n)[:READ] for n in z.namelist() if n.endswith('.py'))
    else:
        with tarfile.open(path) as t:
            yield from (t.extractfile(m).read(READ) for m in t if m.isfile() and m.name.endswith('.py'))


def pypi(root, out):
    for line in open(os.path.join(root, 'labels.jsonl')):
        label = json.loads(line)
        path = os.path.join(root, label.get('file') or label['path'])
        if any(PLATFORM_CHECK.search(text) for text in python_sources(path)):
            yield {'ecosystem': 'pypi', 'path': os.path.relpath(path, out)}


def main():
    out, *rest = sys.argv[1:]
    split = rest.index('--pypi') if '--pypi' in rest else len(rest)
    os.makedirs(out, exist_ok=True)
    chosen = [s for root in rest[:split] for s in npm(root, out)] + [s for root in rest[split + 1 :] for s in pypi(root, out)]
    with open(os.path.join(out, 'labels.jsonl'), 'w') as f:
        f.writelines(json.dumps(s) + '\n' for s in chosen)
    print(f"{sum(s['ecosystem'] == 'npm' for s in chosen)} npm, {sum(s['ecosystem'] == 'pypi' for s in chosen)} pypi packages in {out}")


if __name__ == '__main__':
    main()
