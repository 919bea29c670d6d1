#!/bin/sh
# emulated-kvm.sh: a real KVM on a machine without one. Boots Debian's own kernel
# in QEMU's software emulator (TCG, an AMD CPU with SVM and nested paging), loads
# kvm_amd there, and runs COMMAND inside that machine, in this host's own root
# filesystem (shared read-only over virtio-9p) at the current directory, with
# SHARE (default out/emulated) shared writable at the same path.
#
#   --install     apt-get install qemu-system-x86, busybox-static and binutils (about
#                 90 MB: not in scripts/install-deps.sh)
#   --prepare     download Debian's kernel (apt-get download linux-image-amd64's
#                 target, unpacked into the cache, nothing installed) and build the
#                 initramfs; done anyway before the first boot
#   --cache DIR   kernel and initramfs (default /var/cache/hpsim-emulated-kvm)
#   --suite S     the kernel from Debian suite S instead of the system's sources
#                 (e.g. bookworm-backports: 6.12), through apt with its own lists in
#                 CACHE/S (the system's apt configuration is left alone)
#   --share DIR   the writable directory (default out/emulated)
#   --mem MB      (default 2048)   --smp N (default 2)
#   --cpu MODEL   QEMU CPU model (default max: AuthenticAMD with svm and npt)
#   --timeout S   kill the machine after S seconds (default 3600)
#   --log FILE    the machine's console (default SHARE/console.log)
#
# COMMAND runs under sh -c as root with HOME=/tmp; /tmp is a fresh tmpfs, /dev,
# /proc, /sys and tracefs are the emulated machine's own. The exit status is
# COMMAND's; 1 when the machine stopped before COMMAND ended; 2 a usage error; 77
# when the host lacks what the machine needs (the reason is printed).
#
# usage: sh scripts/emulated-kvm.sh [OPTIONS] [--] COMMAND
set -eu
cache=/var/cache/hpsim-emulated-kvm
share=out/emulated
mem=2048
smp=2
cpu=max
timeout=3600
log=""
suite=""
prepare_only=0
install=0
while [ $# -gt 0 ]; do
	case $1 in
	--cache|--share|--mem|--smp|--cpu|--timeout|--log|--suite)
		[ $# -ge 2 ] || { echo "emulated-kvm.sh: $1 needs a value" >&2; exit 2; } ;;
	esac
	case $1 in
	--install) install=1 ;;
	--prepare) prepare_only=1 ;;
	--cache) cache=$2; shift ;;
	--suite) suite=$2; shift ;;
	--share) share=$2; shift ;;
	--mem) mem=$2; shift ;;
	--smp) smp=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--log) log=$2; shift ;;
	-h|--help) sed -n '2,28p' "$0"; exit 0 ;;
	--) shift; break ;;
	-*) echo "emulated-kvm.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
cmd="$*"
if [ -z "$cmd" ] && [ $prepare_only -eq 0 ] && [ $install -eq 0 ]; then
	echo "emulated-kvm.sh: no COMMAND (see --help)" >&2
	exit 2
fi

if [ $install -eq 1 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		qemu-system-x86 busybox-static binutils
	[ -n "$cmd" ] || [ $prepare_only -eq 1 ] || exit 0
fi
for t in qemu-system-x86_64 busybox apt-get dpkg-deb objcopy gzip; do
	command -v $t >/dev/null || {
		echo "emulated-kvm.sh: $t not installed (sh scripts/emulated-kvm.sh --install)" >&2
		exit 77
	}
done

# --- the kernel: Debian's linux-image-amd64, unpacked (not installed) into the cache
[ -n "$suite" ] && cache=$cache/$suite
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
set -- # apt's options: the system's, or a private state for --suite
if [ -n "$suite" ]; then
	a=$cache/apt
	set -- -o Dir::Etc::SourceList="$a/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$a/lists" -o Dir::Cache="$a/cache" -o APT::Get::List-Cleanup=0
fi
if [ ! -f "$cache/kernel.ok" ] && [ -n "$suite" ]; then
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial"
	echo "deb http://deb.debian.org/debian $suite main" >"$a/sources.list"
	apt-get "$@" update >"$cache/update.log" 2>&1 || {
		cat "$cache/update.log" >&2
		echo "emulated-kvm.sh: apt-get update for suite $suite failed" >&2
		exit 77
	}
fi
if [ ! -f "$cache/kernel.ok" ]; then
	pkg=$(apt-cache "$@" depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)
	[ -n "$pkg" ] || {
		echo "emulated-kvm.sh: apt knows no linux-image-amd64 (apt-get update?)" >&2
		exit 77
	}
	echo "emulated-kvm.sh: downloading $pkg into $cache" >&2
	rm -rf "$cache/root" "$cache"/*.deb
	(cd "$cache" && apt-get "$@" download "$pkg" >/dev/null 2>"$cache/download.log") || {
		cat "$cache/download.log" >&2
		echo "emulated-kvm.sh: apt-get download $pkg failed" >&2
		exit 77
	}
	dpkg-deb -x "$cache"/"$pkg"_*.deb "$cache/root"
	rm -f "$cache"/*.deb
	touch "$cache/kernel.ok"
	rm -f "$cache/initrd.ok"
fi
kver=$(ls "$cache/root/lib/modules" | head -1)
kmods=$cache/root/lib/modules/$kver
vmlinuz=$cache/root/boot/vmlinuz-$kver

# --- the initramfs: busybox, the modules for virtio-9p and kvm_amd, and an init
# that mounts this host's root and runs the command there
moddeps() { # moddeps NAME: the module's path, after those of its dependencies
	pat=$(echo "$1" | sed 's/[-_]/[-_]/g')
	f=$(find "$kmods/kernel" -name "$pat.ko*" | head -1)
	if [ -z "$f" ]; then # built in: nothing to load
		grep -q "/$pat\.ko\$" "$kmods/modules.builtin" && return 0
		echo "emulated-kvm.sh: no module $1 in $kmods" >&2
		exit 1
	fi
	case $f in # busybox insmod takes them uncompressed
	*.ko) ;;
	*.ko.xz)
		mkdir -p "$cache/mods"
		busybox unxz -c "$f" >"$cache/mods/$(basename "$f" .xz)"
		f=$cache/mods/$(basename "$f" .xz) ;;
	*) echo "emulated-kvm.sh: $f: a compression busybox cannot undo" >&2; exit 1 ;;
	esac
	for d in $(objcopy -O binary --only-section=.modinfo "$f" /dev/stdout |
		tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '); do
		(moddeps "$d")
	done
	echo "$f"
}
# (rebuilt when this script is newer: its init may have changed)
if [ ! -f "$cache/initrd.ok" ] || [ "$0" -nt "$cache/initrd.gz" ]; then
	ird=$cache/initrd.d
	rm -rf "$ird"
	mkdir -p "$ird/bin" "$ird/lib/modules" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/host" \
		"$ird/tmp"
	cp "$(command -v busybox)" "$ird/bin/busybox"
	ldd "$ird/bin/busybox" >/dev/null 2>&1 && {
		echo "emulated-kvm.sh: busybox is not static (install busybox-static)" >&2
		exit 77
	}
	for a in sh mount umount insmod mkdir cat echo chroot poweroff sleep sync uname \
		grep sed tr; do
		ln -s busybox "$ird/bin/$a"
	done
	n=0
	for m in virtio_pci 9pnet_virtio 9p kvm_amd; do moddeps $m; done >"$ird/mods.list"
	awk '!seen[$0]++' "$ird/mods.list" |
		while read -r f; do
			n=$((n + 1))
			cp "$f" "$ird/lib/modules/$(printf %02d $n)-$(basename "$f")"
		done
	cat >"$ird/init" <<'EOF'
#!/bin/sh
# the emulated machine's init: modules, this host's root (read-only) and the share
# (writable) over virtio-9p, then the command in a chroot; its status goes to the share
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /lib/modules/*.ko; do insmod "$m" || echo "init: insmod $m failed"; done
arg() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" /proc/cmdline; }
share=$(arg hpsim.share)
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 root /host ||
	{ echo "init: cannot mount the host's root"; poweroff -f; }
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t tracefs tracefs /host/sys/kernel/tracing
mount -t devtmpfs dev /host/dev
mount -t tmpfs tmp /host/tmp
mount -t tmpfs run /host/run
mount -t tmpfs vartmp /host/var/tmp
mkdir -p "/host$share" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,cache=mmap,msize=262144 share "/host$share" ||
	{ echo "init: cannot mount the share at $share"; poweroff -f; }
echo "init: $(uname -r) up; /dev/kvm: $(ls -l /dev/kvm 2>&1)"
chroot /host /bin/sh -c 'cd "$(cat "$0/.cwd")" && HOME=/tmp PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	exec /bin/sh "$0/.cmd"' "$share" </dev/console >/dev/console 2>&1
echo $? >"/host$share/.status"
sync
umount "/host$share"
poweroff -f
EOF
	chmod +x "$ird/init"
	(cd "$ird" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$cache/initrd.gz"
	rm -rf "$ird"
	touch "$cache/initrd.ok"
fi
[ $prepare_only -eq 1 ] && [ -z "$cmd" ] && { echo "prepared: $cache ($kver)"; exit 0; }

# --- boot
mkdir -p "$share"
share=$(cd "$share" && pwd)
[ -n "$log" ] || log=$share/console.log
pwd >"$share/.cwd"
printf '%s\n' "$cmd" >"$share/.cmd"
rm -f "$share/.status"
set +e
timeout "$timeout" qemu-system-x86_64 -accel tcg,thread=multi -machine q35 -cpu "$cpu" \
	-smp "$smp" -m "$mem" -nodefaults -display none -no-reboot \
	-serial stdio \
	-kernel "$vmlinuz" -initrd "$cache/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1 hpsim.share=$share" \
	-virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$share",mount_tag=share,security_model=none,multidevs=remap \
	</dev/null | tr -d '\r' | tee "$log"
set -e
if [ ! -f "$share/.status" ]; then
	echo "emulated-kvm.sh: the machine stopped before the command ended (killed after" \
		"$timeout s, or it failed: see the console above, in $log)" >&2
	exit 1
fi
status=$(cat "$share/.status")
rm -f "$share/.status" "$share/.cmd" "$share/.cwd"
exit "$status"
