#!/usr/bin/env python3
# xenfixed.py KERNEL.elf trace.txt...: the fixed cost of entering and
# leaving Xen for a hypercall: for each stretch of Xen code entered from
# the hypercall page, its length and how many of its first and last
# instructions it shares with stretches of *other* hypercall numbers (the
# common entry and exit paths); printed per hypercall number.
import sys, subprocess, collections
XEN_LO, XEN_HI = 0xffff800000000000, 0xffff880000000000
nm = subprocess.run(["nm", sys.argv[1]], capture_output=True, text=True).stdout
hp = int([l.split()[0] for l in nm.splitlines() if l.endswith(" hypercall_page")][0], 16)
runs = collections.defaultdict(list)
for tr in sys.argv[2:]:
    prev = None; cur = None
    for l in open(tr):
        if l.startswith(("BEGIN", "END")) or not l.strip():
            continue
        pc = int(l, 16)
        if XEN_LO <= pc < XEN_HI:
            if cur is None:
                cur = [] if prev is not None and hp <= prev < hp + 4096 else None
                nr = (prev - hp) // 32 if cur is not None else None
                if cur is None:
                    cur = False
            if cur is not False:
                cur.append(pc)
        else:
            if cur:
                runs[nr].append(cur)
            cur = None
        prev = pc
def common(a, b):
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n
for nr, rs in sorted(runs.items()):
    others = [r for k, v in runs.items() if k != nr for r in v]
    pre = max((common(r, o) for r in rs for o in others[:50]), default=0)
    suf = max((common(r[::-1], o[::-1]) for r in rs for o in others[:50]), default=0)
    lens = sorted(len(r) for r in rs)
    print("hc %2d: %4d runs, length min %d median %d max %d; shared entry %d, exit %d"
          % (nr, len(rs), lens[0], lens[len(lens) // 2], lens[-1], pre, suf))
