#!/usr/bin/env python3
"""Record what `kgent ground --json --program` reads from every request of some corpora, and diff
two such records: the check a change to the reader or grounding gets before any eval.

  scripts/readings.py KGENT OUT.json CORPUS.toml...     record (two at a time)
  scripts/readings.py --diff OLD.json NEW.json [--show] counts per corpus; --show prints what
                                                        changed, for corpora read before (READ)
  scripts/readings.py --audit R.json CORPUS.toml...     the programs written from complete readings
                                                        (no model) against each corpus's rubric
                                                        (an acceptable hook, every field word);
                                                        failures printed for corpora not named
                                                        in READ
  scripts/readings.py --verify KGENT R.json             the same programs against Kgent's own checks
                                                        (`kgent verify --request`): one that fails
                                                        them goes to the model in `gen`; failures
                                                        printed as --audit prints them
A never-read held-out corpus's changes are counted, never printed: its requests are not read while tuning.
"""
import fnmatch, json, re, subprocess, sys, tomllib, os

# Held-out corpora already read while tuning, long ago, and development data now; every other
# heldout* corpus has not been read: its changes are counted, never printed.
READ = ('heldout', 'heldout2', 'heldout3')
def never_read(name):
    return name.startswith('heldout') and name not in READ
from concurrent.futures import ThreadPoolExecutor

def record(kgent, out, corpora):
    jobs = []
    for path in corpora:
        name = os.path.basename(path).removesuffix('.toml')
        for r in tomllib.load(open(path, 'rb'))['request']:
            jobs.append((name, r['id'], r['request']))
    def one(job):
        name, rid, req = job
        p = subprocess.run([kgent, 'ground', '--json', '--program', req], capture_output=True, text=True)
        try:
            got = json.loads(p.stdout)
        except ValueError:
            got = {'error': (p.stderr or p.stdout)[-400:]}
        got['exit'] = p.returncode
        return (name, rid, got)
    res = {}
    with ThreadPoolExecutor(2) as ex:
        for name, rid, got in ex.map(one, jobs):
            res.setdefault(name, {})[rid] = got
    json.dump(res, open(out, 'w'), indent=1, sort_keys=True)
    print(f'{sum(len(v) for v in res.values())} readings of {len(res)} corpora in {out}')

def diff(old, new, show):
    a, b = json.load(open(old)), json.load(open(new))
    for name in sorted(set(a) | set(b)):
        ra, rb = a.get(name, {}), b.get(name, {})
        changed = [i for i in sorted(set(ra) | set(rb)) if ra.get(i) != rb.get(i)]
        written = lambda r: sum(1 for v in r.values() if v.get('program'))
        print(f'{name}: {len(changed)} of {len(rb)} changed; written from the plan {written(ra)} -> {written(rb)}')
        if show and not never_read(name):
            for i in changed:
                x, y = ra.get(i, {}), rb.get(i, {})
                keys = [k for k in sorted(set(x) | set(y)) if x.get(k) != y.get(k)]
                print(f'  {i}:')
                for k in keys:
                    print(f'    {k}: {json.dumps(x.get(k))[:600]}\n    {" " * len(k)}→ {json.dumps(y.get(k))[:600]}')

def has_word(text, word):
    """`word` as an identifier or the last part of one, as `kgent eval`'s rubric reads it."""
    ident = lambda c: c.isalnum() or c == '_'
    for m in re.finditer(re.escape(word), text):
        before = text[m.start() - 1] if m.start() > 0 else ''
        after = text[m.end()] if m.end() < len(text) else ''
        if (not before or not ident(before) or before == '_') and not (after and ident(after)):
            return True
    return False

def probes(program):
    """The probes of a bpftrace program as the plan writes it: one block header per line."""
    out = []
    for line in program.splitlines():
        if line and not line[0].isspace() and line[0] not in '{}/':
            out += [p.strip() for p in line.split(',') if p.strip() not in ('', 'BEGIN', 'END')]
    return out

def audit(record_path, corpora):
    res = json.load(open(record_path))
    for path in corpora:
        name = os.path.basename(path).removesuffix('.toml')
        written = failed = 0
        for r in tomllib.load(open(path, 'rb'))['request']:
            program = res.get(name, {}).get(r['id'], {}).get('program')
            if not program:
                continue
            written += 1
            got = probes(program)
            hooks = r.get('hooks', [])
            entry = lambda p: p.replace('kretprobe:', 'kprobe:').replace('uretprobe:', 'uprobe:')
            hook_ok = not hooks or any(fnmatch.fnmatch(entry(p), h) or fnmatch.fnmatch(h, entry(p)) for p in got for h in hooks)
            missing = [f for f in r.get('fields', []) if not has_word(program, f)]
            if hook_ok and not missing:
                continue
            failed += 1
            if not never_read(name):
                print(f'  {name} {r["id"]}: hook {"ok" if hook_ok else "NOT acceptable"} {got}; missing {missing}')
        print(f'{name}: {failed} of {written} written from a complete reading fail the rubric')

def verify(kgent, record_path):
    import tempfile
    res = json.load(open(record_path))
    jobs = [(name, rid, got) for name, items in sorted(res.items()) for rid, got in sorted(items.items()) if got.get('program')]
    def one(job):
        name, rid, got = job
        with tempfile.NamedTemporaryFile('w', suffix='.bt') as f:
            f.write(got['program'])
            f.flush()
            p = subprocess.run([kgent, 'verify', '--request', got['request'], f.name], capture_output=True, text=True)
        failing = [l for l in p.stdout.splitlines() + p.stderr.splitlines() if 'COUNTEREXAMPLE' in l or 'missing' in l]
        return (name, rid, p.returncode, failing)
    counts = {}
    with ThreadPoolExecutor(2) as ex:
        for name, rid, code, failing in ex.map(one, jobs):
            n = counts.setdefault(name, [0, 0])
            n[0] += 1
            if code != 0:
                n[1] += 1
                if not never_read(name):
                    print(f'  {name} {rid}: exit {code}; ' + ' | '.join(failing)[:400])
    for name, (written, failed) in sorted(counts.items()):
        print(f'{name}: {failed} of {written} written from a complete reading fail its own checks')

if __name__ == '__main__':
    if sys.argv[1] == '--diff':
        diff(sys.argv[2], sys.argv[3], '--show' in sys.argv)
    elif sys.argv[1] == '--audit':
        audit(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == '--verify':
        verify(sys.argv[2], sys.argv[3])
    else:
        record(sys.argv[1], sys.argv[2], sys.argv[3:])
