#!/usr/bin/env python3
# inclusive.py KERNEL.elf USER.elf trace.txt: for a span traced by trace.py,
#  1. inclusive instructions per function (Xen's included) from a shadow
#     call stack: a step after a `call` pushes its return address, reaching
#     an address on the stack pops down to it; user mode drops the kernel
#     frames (a context switch or a return to user never "returns"), so a
#     function's count stops at a switch (schedule, for instance, counts
#     only up to the switch away);
#  2. Xen by entry: hypercall number (hypercall_page slot) and the chain of
#     our functions that called it (innermost first), or the trap that
#     bounced through Xen, with counts;
#  3. phases: kernel + Xen between two stretches of user code, named by
#     the user function before and the first of our kernel functions after.
import sys, subprocess, bisect, collections
XEN_LO, XEN_HI = 0xffff800000000000, 0xffff880000000000
HC = {1: "mmu_update", 2: "set_trap_table", 3: "stack_switch", 4: "set_callbacks",
      13: "multicall", 14: "update_va_mapping", 15: "set_timer_op", 17: "xen_version",
      18: "console_io", 23: "iret", 24: "vcpu_op", 26: "mmuext_op", 29: "sched_op",
      30: "callback_op", 32: "event_channel_op", 12: "memory_op", 21: "vm_assist"}
def syms(elf):
    out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True).stdout
    return [(int(p[0], 16), p[2]) for p in (l.split() for l in out.splitlines())
            if len(p) == 3 and p[1] in "tTwW"]
def calls(elf):
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", elf],
                         capture_output=True, text=True).stdout
    ins = []
    for l in out.splitlines():
        if ":\t" in l and not l.endswith(":"):
            a, rest = l.split(":\t", 1)
            try:
                ins.append((int(a.strip(), 16), rest.split()[0] if rest.split() else ""))
            except ValueError:
                pass
    c = {}
    for (a, m), (b, _) in zip(ins, ins[1:]):
        if m.startswith("call"):
            c[a] = b
    return c
kelf, uelf, tr = sys.argv[1:4]
S = sorted(syms(kelf) + syms(uelf)); A = [a for a, _ in S]
CALL = calls(kelf); CALL.update(calls(uelf))
HP = dict(S and [(n, a) for a, n in S]).get("hypercall_page")
def name(pc):
    if XEN_LO <= pc < XEN_HI: return "XEN"
    i = bisect.bisect_right(A, pc) - 1
    return S[i][1] if i >= 0 else "?"
def is_user(pc): return pc < 0x800000000000
incl = collections.Counter(); self_ = collections.Counter()
xen = collections.Counter(); xenn = collections.Counter()
each = collections.defaultdict(list)
phases = collections.Counter(); phasen = collections.Counter()
stack = []            # [ret_addr, function name of the frame]
pcs = [int(l, 16) for l in open(tr) if l.strip() and not l.startswith(("BEGIN", "END"))]
total = len(pcs)
prev = None; xen_key = None; last_ours = []; last_user = "?"; phase = None
for pc in pcs:
    n = name(pc)
    # pop to a matching return address
    for k in range(len(stack) - 1, -1, -1):
        if stack[k][0] == pc:
            del stack[k:]; break
    if prev is not None and prev in CALL:
        stack.append([CALL[prev], n])
    if is_user(pc):
        stack = [f for f in stack if is_user(f[0])]
        last_user = n; phase = None
    else:
        if phase is None:
            phase = [last_user, None]
        if phase[1] is None and n != "XEN" and not n.startswith("hypercall_page"):
            phase[1] = n
        key = "%s -> %s" % tuple(phase) if phase[1] else "%s -> ?" % phase[0]
    # counts
    self_[n if n != "hypercall_page" else "hypercall_page"] += 1
    for f in set(fr[1] for fr in stack):
        incl[f] += 1
    if not is_user(pc):
        phases[(phase[0], id(phase))] += 1
        phase_names = phases
    if n == "XEN":
        if xen_key is None:
            pn = name(prev) if prev is not None else "?"
            if pn == "hypercall_page":
                nr = (prev - HP) // 32
                chain = []
                for f in reversed(stack):
                    if f[1] not in chain and not f[1].startswith("hypercall") and f[1] != "XEN":
                        chain.append(f[1])
                    if len(chain) == 3: break
                xen_key = "%-18s %s" % (HC.get(nr, "hc%d" % nr), " < ".join(chain))
            else:
                xen_key = "%-18s from %s" % ("trap/event", pn)
            xenn[xen_key] += 1
            each[xen_key].append(0)
        xen[xen_key] += 1
        each[xen_key][-1] += 1
    else:
        xen_key = None
        if n != "hypercall_page": last_ours = n
    prev = pc
print("span: %d instructions; Xen %d (%.1f%%)" % (total, self_["XEN"], 100.0 * self_["XEN"] / total))
print("\n== self (exclusive) by function, top 40")
for f, c in self_.most_common(40):
    print("%9d %5.1f%%  %s" % (c, 100.0 * c / total, f))
print("\n== inclusive (Xen inside included; stops at context switches), top 50")
for f, c in incl.most_common(50):
    print("%9d %5.1f%%  %s" % (c, 100.0 * c / total, f))
print("\n== Xen by entry (hypercall < callers, innermost first)")
for k, c in xen.most_common():
    print("%9d %5d calls %7.0f/call  %s%s" % (c, xenn[k], c / xenn[k], k,
          "  [%s]" % " ".join(map(str, each[k])) if 1 < xenn[k] <= 8 else ""))
