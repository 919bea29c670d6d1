#!/bin/sh
# hpsim recommend --refine: on a generated capture whose best window lies
# between the coarse grid's values, the finer sweep finds a round value that
# costs less than the coarse answer and still meets the bound; its answer is
# that of the finer sweep directory; an interrupted refine (its journal cut
# short, a torn last line) resumes and ends with the same files and answer.
# usage: test_refine.sh HPSIM
set -u
hpsim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
cd "$tmp" || exit 1

# 95% of the halts end after 27-33 us, 5% after 1.8-2.2 ms: a fixed poll window
# of 35 us catches every short one, and every window beyond it only burns CPU
# on the long ones. The coarse grid holds 10, 100 and 1000 us.
"$hpsim" gen bimodal --short-us 30 --long-us 2000 --mix 0.95 --count 4000 -o bi.csv ||
	bad "gen"
cat >bi.json <<'EOF'
{"traces": ["bi.csv"], "policies": {"host": "fixed"},
 "params": {"fixed_poll_ns": [10000, 100000, 1000000]}, "oracle": false,
 "objective": {"constraints": {"p90_us_max": 3}}}
EOF
"$hpsim" sweep bi.json -o out -j2 --quiet >/dev/null 2>err || bad "sweep: $(cat err)"
"$hpsim" recommend out >coarse.txt 2>err || bad "recommend: $(cat err)"
grep -q "setting:   \[host=fixed k=6.11\] host.fixed_poll_ns=100000$" coarse.txt && ok ||
	bad "coarse answer: $(head -3 coarse.txt)"

cp -r out copy
"$hpsim" recommend out --refine -j2 >fine.txt 2>err || bad "recommend --refine: $(cat err)"
# what it refined: the bracket, the steps, the points, before and after
grep -Eq "^refined \(--refine\): a finer sweep around the answer in out/refine, 37 points x 1 traces$" fine.txt &&
	ok || bad "refined line: $(head -1 fine.txt)"
grep -Eq "host.fixed_poll_ns +between the grid's 10000 and 1000000 \(its best: 100000\), every 5000 below and 50000 above it: 37 values" fine.txt &&
	ok || bad "bracket line: $(sed -n 2p fine.txt)"
grep -Eq "^  before:  host.fixed_poll_ns=100000 " fine.txt && ok || bad "before: $(sed -n 3p fine.txt)"
after=$(sed -n 's/^  after:   host.fixed_poll_ns=\([0-9]*\) .*(meets every bound)$/\1/p' fine.txt)
cpu_before=$(sed -n 's/^  before: .*weighted poll_cpu \([0-9.]*\)%.*/\1/p' fine.txt)
cpu_after=$(sed -n 's/^  after: .*weighted poll_cpu \([0-9.]*\)%.*/\1/p' fine.txt)
# the least window meeting the bound: 35000 (the short halts end by 33 us)
[ "$after" = 35000 ] && ok || bad "refined answer '$after', expected 35000"
awk -v a="$cpu_after" -v b="$cpu_before" 'BEGIN { exit !(a + 0 < b + 0) }' && ok ||
	bad "refined poll_cpu $cpu_after is not below $cpu_before"
grep -q "setting:   \[host=fixed k=6.11\] host.fixed_poll_ns=35000$" fine.txt && ok ||
	bad "the answer printed is not the refined one"
# the finer grid holds the coarse answer, and 30000 (one step below) misses the bound
awk -F, 'NR > 1 && $4 == 100000' out/refine/results.csv | grep -q . && ok ||
	bad "the finer grid lacks the coarse answer"
# (columns: point,trace,series,host.fixed_poll_ns,halts,...,lat_p50_ns,lat_p90_ns: 14th)
head -1 out/refine/results.csv | cut -d, -f14 | grep -qx lat_p90_ns && ok || bad "columns moved"
p30=$(awk -F, 'NR > 1 && $4 == 30000 { print $14 }' out/refine/results.csv)
[ -n "$p30" ] && [ "$p30" -gt 3000 ] && ok || bad "30000's p90 '$p30' is within the bound"
# the same answer as recommend on the finer directory itself; the round step is 5000
"$hpsim" recommend out/refine >sub.txt 2>err || bad "recommend out/refine: $(cat err)"
sed -n '/^one setting/,$p' fine.txt >fine-answer.txt
cmp -s sub.txt fine-answer.txt && ok || bad "the refined answer differs from recommend out/refine"
grep -q '"host.fixed_poll_ns": 5000' out/refine/config.json && ok || bad "no round step 5000"

# rerun: nothing to do, the same answer
"$hpsim" recommend out --refine -j2 >again.txt 2>err || bad "again: $(cat err)"
grep -q "(resumed: 37 of 37 units were done already)" again.txt && ok || bad "rerun: $(head -1 again.txt)"
sed -n '/^one setting/,$p' again.txt | cmp -s - fine-answer.txt && ok || bad "rerun answer differs"

# interrupted: the refine journal cut after 12 rows and a torn 13th, the results not written
"$hpsim" recommend copy --refine -j2 >/dev/null 2>err || bad "copy refine: $(cat err)"
head -12 copy/refine/journal.tsv >j
sed -n 13p copy/refine/journal.tsv | cut -c1-20 | tr -d '\n' >>j
mv j copy/refine/journal.tsv
rm copy/refine/results.csv copy/refine/results.json copy/refine/pareto.csv
"$hpsim" recommend copy --refine -j2 >resumed.txt 2>err || bad "resume: $(cat err)"
grep -q "(resumed: 12 of 37 units were done already)" resumed.txt && ok ||
	bad "resume line: $(head -1 resumed.txt)"
sed -n '/^one setting/,$p' resumed.txt | cmp -s - fine-answer.txt && ok || bad "resumed answer differs"
for f in results.csv results.json pareto.csv; do
	sed 's|copy/|out/|g' copy/refine/$f | cmp -s - out/refine/$f && ok || bad "resumed $f differs"
done

# JSON: the refined prediction, the summary on stderr
"$hpsim" recommend out --refine --format json -o pred.json 2>sum.txt || bad "json: $(cat sum.txt)"
grep -q '"host.fixed_poll_ns": 35000' pred.json && ok || bad "pred.json: $(head -c 400 pred.json)"
grep -q "^  after:   host.fixed_poll_ns=35000" sum.txt && ok || bad "json summary: $(cat sum.txt)"

# nothing to refine around: no point meets the bound (exit 1, said); usage errors (exit 2)
sed 's/"p90_us_max": 3/"p90_us_max": 0.5/' bi.json >tight.json
"$hpsim" sweep tight.json -o tight -j2 --quiet >/dev/null 2>&1
"$hpsim" recommend tight --refine >out.txt 2>&1
st=$?
[ "$st" -eq 1 ] && grep -q "refine: no point of the sweep meets every bound" out.txt && ok ||
	bad "infeasible refine: exit $st: $(cat out.txt)"
[ ! -e tight/refine ] && ok || bad "an infeasible refine left tight/refine"
"$hpsim" recommend out --refine --per-trace >out.txt 2>&1
[ $? -eq 2 ] && ok || bad "--refine --per-trace: $(cat out.txt)"
"$hpsim" recommend out --refine -j 0 >out.txt 2>&1
[ $? -eq 2 ] && grep -q "\-j: '0'" out.txt && ok || bad "-j 0: $(cat out.txt)"

echo "test_refine: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
