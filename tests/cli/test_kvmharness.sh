#!/bin/sh
# kvmharness without KVM: its hand-assembled guests disassemble to the intended
# code (objdump), its tables point at the handlers, bad usage is exit 2, and on a
# machine without a usable /dev/kvm it stops with exit 77 and says so.
# Usage: test_kvmharness.sh KVMHARNESS
set -eu
h=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
dis() { objdump -D -b binary -m i386 --start-address=$2 --stop-address=$3 "$1" | tr -s ' \t' ' '; }
u32() { od -An -tu4 -j $(($2)) -N4 "$1" | tr -d ' '; }

# lapic:5000: one-shot LAPIC timer at 1e9/5000 = 200000 ns = 0x30d40, vector 0x40, then sti;hlt loop
"$h" --workload lapic:5000 --dump-guest "$tmp/lapic.bin"
dis "$tmp/lapic.bin" 0x1000 0x1040 >"$tmp/lapic.s"
grep -q 'movl \$0x1ff,0xfee000f0' "$tmp/lapic.s" || fail "LAPIC not software-enabled"
grep -q 'movl \$0x40,0xfee00320' "$tmp/lapic.s" || fail "LVT timer not vector 0x40 one-shot"
grep -q 'movl \$0x30d40,0xfee00380' "$tmp/lapic.s" || fail "initial count not 200000 ns"
grep -q ' sti$' "$tmp/lapic.s" && grep -q ' hlt$' "$tmp/lapic.s" || fail "no sti; hlt loop"
# IDT gate 0x40 (at 0x4000 + 0x40*8): handler 0x1100, selector 8, present 32-bit interrupt gate
[ "$(u32 "$tmp/lapic.bin" 0x4200)" = $((0x00081100)) ] || fail "IDT[0x40] offset/selector"
[ "$(u32 "$tmp/lapic.bin" 0x4204)" = $((0x00008e00)) ] || fail "IDT[0x40] type"
dis "$tmp/lapic.bin" 0x1100 0x1124 >"$tmp/isr.s"
grep -q 'mov %eax,0xfee00380' "$tmp/isr.s" || fail "timer handler does not re-arm"
grep -q 'movl \$0x0,0xfee000b0' "$tmp/isr.s" || fail "timer handler sends no EOI"
grep -q ' iret$' "$tmp/isr.s" || fail "timer handler does not iret"
[ "$(u32 "$tmp/lapic.bin" 0x2004)" = 200000 ] && [ "$(u32 "$tmp/lapic.bin" 0x2008)" = 200000 ] ||
	fail "lapic counts"

# mix:20:2000: alternate 20 us and 2 ms, starting with the short one
"$h" --workload mix:20:2000 --dump-guest "$tmp/mix.bin"
[ "$(u32 "$tmp/mix.bin" 0x2004)" = 20000 ] && [ "$(u32 "$tmp/mix.bin" 0x2008)" = 2000000 ] ||
	fail "mix counts"
dis "$tmp/mix.bin" 0x1000 0x1040 | grep -q 'movl \$0x4e20,0xfee00380' || fail "mix first count"

# irqfd: IOAPIC pin 20 (redirection entry 0x10 + 40 = 0x38) -> vector 0x41 at APIC ID 0
"$h" --workload irqfd:1000 --dump-guest "$tmp/irqfd.bin"
dis "$tmp/irqfd.bin" 0x1000 0x1040 >"$tmp/irqfd.s"
grep -q 'movl \$0x38,0xfec00000' "$tmp/irqfd.s" && grep -q 'movl \$0x41,0xfec00010' "$tmp/irqfd.s" ||
	fail "IOAPIC redirection for pin 20"
# IDT gate 0x41 -> the handler right after the timer's (0x1124): EOI and iret only
[ "$(u32 "$tmp/irqfd.bin" 0x4208)" = $((0x00081124)) ] || fail "IDT[0x41]"
dis "$tmp/irqfd.bin" 0x1124 0x1130 | grep -q 'movl \$0x0,0xfee000b0' || fail "irqfd handler EOI"

# ipi: the BSP sends vector 0x42 to APIC ID 1; the handler answers the other APIC ID
"$h" --workload ipi --dump-guest "$tmp/ipi.bin"
dis "$tmp/ipi.bin" 0x1000 0x1060 >"$tmp/ipi.s"
grep -q 'movl \$0x1000000,0xfee00310' "$tmp/ipi.s" && grep -q 'movl \$0x42,0xfee00300' "$tmp/ipi.s" ||
	fail "BSP kick-off IPI"
off=$(( $(u32 "$tmp/ipi.bin" 0x4210) % 65536 ))
dis "$tmp/ipi.bin" $off $((off + 40)) >"$tmp/ipih.s"
grep -q 'mov 0xfee00020,%eax' "$tmp/ipih.s" && grep -q 'xor \$0x1000000,%eax' "$tmp/ipih.s" ||
	fail "IPI handler does not address the other vCPU"
dis "$tmp/ipi.bin" 0x1200 0x1220 | grep -q ' hlt$' || fail "AP code does not halt"

# pit:1000: real mode, divisor 1193182/1000 = 1193 = 0x4a9
"$h" --workload pit:1000 --dump-guest "$tmp/pit.bin"
objdump -D -b binary -m i8086 --start-address=0x1000 --stop-address=0x1040 "$tmp/pit.bin" |
	tr -s ' \t' ' ' >"$tmp/pit.s"
grep -q 'mov \$0xa9,%al' "$tmp/pit.s" && grep -q 'mov \$0x4,%al' "$tmp/pit.s" || fail "PIT divisor"

# usage errors are exit 2
for bad in "--workload nope" "--workload lapic:0" "--workload lapic:1000 --seconds -1" \
	"--workload lapic:1000 --ceiling -5" ""; do
	set +e
	"$h" $bad >/dev/null 2>&1
	rc=$?
	set -e
	[ $rc -eq 2 ] || fail "'$bad' exited $rc, not 2"
done

# without a usable /dev/kvm: exit 77 and a message saying so
set +e
"$h" --workload lapic:1000 --seconds 0.1 >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
if [ $rc -eq 77 ]; then
	grep -q 'no usable KVM' "$tmp/err" || fail "exit 77 without the reason"
	echo "ok (no usable /dev/kvm here: $(cat "$tmp/err"))"
elif [ $rc -eq 0 ]; then
	grep -q '"halt_successful_poll"' "$tmp/out" || fail "a real run without KVM statistics"
	echo "ok (ran on a real KVM)"
else
	fail "harness exited $rc: $(cat "$tmp/err")"
fi
