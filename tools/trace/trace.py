# gdb -batch -x trace.py : single-steps traced user functions, one PC per line.
# A copy of shared/tools/icount-trace/trace.py with GDB_PORT (default 1234)
# and TRACE_MAX (steps before giving up, default 200000) from the environment.
import gdb, os
out = open(os.environ.get("TRACE_OUT", os.path.join(os.environ.get("TMPDIR", "/tmp"), "perf-trace", "trace.txt")), "w")
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote :%s" % os.environ.get("GDB_PORT", "1234"))
maxn = int(os.environ.get("TRACE_MAX", "200000"))
# (name, start, end, expected first bytes)
spans = [s.split(":") for s in os.environ["SPANS"].split()]
for name, start, end in spans:
    skip = int(name.split("@")[1]) if "@" in name else 0
    start = int(start, 16); end = int(end, 16)
    gdb.execute("delete")
    gdb.execute("break *0x%x" % start)
    while True:
        gdb.execute("continue", to_string=True)
        pc = int(gdb.parse_and_eval("$pc")) & 0xffffffffffffffff
        if pc == start:
            try:
                rsp = int(gdb.parse_and_eval("$rsp")) & 0xffffffffffffffff
            except Exception:
                rsp = 0
            # user stack lives at 0x7fxxxxxxxx
            if 0x7f00000000 <= rsp < 0x8000000000:
                if skip == 0:
                    break
                skip -= 1
    gdb.execute("delete")
    out.write("BEGIN %s\n" % name)
    n = 0
    while True:
        out.write("%x\n" % pc)
        n += 1
        gdb.execute("stepi", to_string=True)
        pc = int(gdb.parse_and_eval("$pc")) & 0xffffffffffffffff
        if pc == end or n > maxn:
            break
    out.write("END %s %d\n" % (name, n))
    out.flush()
out.close()
gdb.execute("kill")
