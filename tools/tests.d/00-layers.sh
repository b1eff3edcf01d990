# The include rules between kernel/, arch/ and xen/ (tools/check-layers).
tools/check-layers > "$logdir/layers.log" 2>&1 || true
cat "$logdir/layers.log"
collect "$logdir/layers.log"
grep -q '^PASS: layers/' "$logdir/layers.log" || fail "layers: tools/check-layers printed no result"
