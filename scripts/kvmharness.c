/*
 * kvmharness: a real KVM guest with known wake patterns, run at a halt-poll
 * ceiling, reporting what the host really spent (the successor of minivm.c,
 * which stays as the smallest recorder of host captures).
 *
 * The ceiling is set for this VM alone with KVM_ENABLE_CAP(KVM_CAP_HALT_POLL)
 * (6.1+: it overrides the module's halt_poll_ns; grow, grow_start and
 * shrink stay the module's). Workloads (the guest code is hand assembled):
 *   pit:HZ        real mode, the in-kernel PIT through the PIC at HZ (as minivm)
 *   lapic:HZ      32-bit protected mode, the local APIC timer in one-shot
 *                 mode re-armed by the interrupt handler every 1e9/HZ ns
 *   mix:S:L       the same, alternating halts of S and L microseconds
 *   irqfd:HZ      a host helper thread writes an eventfd bound with KVM_IRQFD
 *                 to IOAPIC pin 20 at HZ (absolute deadlines), as vhost does
 *   ipi           two vCPUs send each other an IPI from their interrupt
 *                 handlers (a ping-pong with no think time)
 * vCPU threads are named "CPU n/KVM" as QEMU names them, and pinned with
 * --vcpu-cpus; the helper thread with --helper-cpu.
 *
 * Output, one JSON object on stdout: the workload, the ceiling, wall time,
 * per vCPU its thread's CPU time (CLOCK_THREAD_CPUTIME_ID through
 * pthread_getcpuclockid) and KVM's binary statistics over the run
 * (KVM_GET_STATS_FD, every halt_* value and histogram), the module's
 * parameters and the host release. `hpsim validate --measured` reads it.
 *
 * Exit status: 0 done; 2 usage; 77 no usable /dev/kvm (a test skips on it);
 * 1 any other failure, with the step that failed.
 *
 * build: cc -O2 -o kvmharness scripts/kvmharness.c -lpthread  (CMake builds it too)
 * usage: kvmharness --workload W [--seconds S] [--ceiling NS] [--vcpu-cpus C[,C]]
 *                   [--helper-cpu C]
 *        kvmharness --workload W --dump-guest FILE   (the guest's memory image, no KVM)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define EXIT_NOKVM 77
#define MEM_SIZE   0x10000
#define CODE       0x1000
#define ISR        0x1100
#define AP_CODE    0x1200
#define DATA       0x2000
#define GDT        0x3000
#define IDT        0x4000
#define STACK0     0x8000
#define STACK1     0x9000
#define VEC_TIMER  0x40
#define VEC_IRQFD  0x41
#define VEC_IPI    0x42
#define VEC_SPUR   0xff
#define IRQFD_GSI  20
#define MAX_VCPUS  2

enum kind { W_PIT, W_LAPIC, W_MIX, W_IRQFD, W_IPI };

struct vcpu {
	int fd;
	struct kvm_run *run;
	pthread_t th;
	int index, host_cpu, stats_fd;
	clockid_t clock;
};

static struct {
	enum kind kind;
	const char *workload;
	unsigned hz, short_us, long_us;
	double seconds;
	long long ceiling; /* -1: not set */
	int nvcpu, helper_cpu, vcpu_cpus[MAX_VCPUS];
	struct vcpu v[MAX_VCPUS];
	int kvm, vm, efd;
	volatile int stop;
	unsigned long long signals;
	clockid_t helper_clock;
	pthread_t helper;
	const char *dump; /* --dump-guest FILE: write the guest's memory image and exit */
} H;

static void die(const char *what)
{
	fprintf(stderr, "kvmharness: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(const char *msg)
{
	fprintf(stderr,
	        "kvmharness: %s\nusage: kvmharness --workload pit:HZ|lapic:HZ|mix:S_US:L_US|"
	        "irqfd:HZ|ipi [--seconds S] [--ceiling NS] [--vcpu-cpus C[,C]] [--helper-cpu C]\n",
	        msg);
	exit(2);
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0) {
		errno = EINVAL;
		die("pinning a thread (--vcpu-cpus / --helper-cpu)");
	}
}

static void put32(unsigned char *m, unsigned at, uint32_t v)
{
	memcpy(m + at, &v, 4);
}

/* Emit bytes. */
#define EMIT(...)                                                                                  \
	do {                                                                                       \
		const unsigned char b_[] = {__VA_ARGS__};                                          \
		memcpy(p, b_, sizeof(b_));                                                         \
		p += sizeof(b_);                                                                   \
	} while (0)

/* mov dword [addr], imm (C7 05 addr imm) */
static unsigned char *mov_mem_imm(unsigned char *p, uint32_t addr, uint32_t imm)
{
	EMIT(0xc7, 0x05);
	memcpy(p, &addr, 4);
	memcpy(p + 4, &imm, 4);
	return p + 8;
}

/* Real mode: the PIT at hz through the PIC, HLT in a loop (minivm's guest). */
static void code_pit(unsigned char *m)
{
	unsigned char *p = m + CODE;
	unsigned div = 1193182u / H.hz;

	EMIT(0xfa, 0xc7, 0x06, 0x20, 0x00, 0x00, 0x11,                   /* cli; IVT[8] = ISR */
	     0xc7, 0x06, 0x22, 0x00, 0x00, 0x00, 0xb0, 0x11, 0xe6, 0x20, /* PIC ICW1 */
	     0xb0, 0x08, 0xe6, 0x21, 0xb0, 0x04, 0xe6, 0x21, 0xb0, 0x01, 0xe6, 0x21, /* ICW2-4 */
	     0xb0, 0xfe, 0xe6, 0x21,                        /* unmask IRQ0 only */
	     0xb0, 0x34, 0xe6, 0x43,                        /* PIT ch0 rate generator */
	     0xb0, (unsigned char)(div & 0xff), 0xe6, 0x40, /* divisor */
	     0xb0, (unsigned char)(div >> 8), 0xe6, 0x40, 0xfb, 0xf4, 0xeb, 0xfd); /* sti; hlt */
	p = m + ISR;
	EMIT(0xb0, 0x20, 0xe6, 0x20, 0xcf); /* EOI to the PIC; iret */
}

/*
 * 32-bit protected mode (flat segments set through KVM_SET_SREGS; the GDT is
 * there for IRET). LAPIC at 0xfee00000, IOAPIC at 0xfec00000.
 */
static void code_pm(unsigned char *m)
{
	static const uint64_t gdt[] = {0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull};
	unsigned char *p;
	uint32_t isr_timer, isr_irqfd, isr_ipi, isr_spur;
	unsigned v;

	memcpy(m + GDT, gdt, sizeof(gdt));
	/* data: [DATA] toggle, [DATA+4] short count, [DATA+8] long count */
	put32(m, DATA, 0);
	if (H.kind == W_MIX) {
		put32(m, DATA + 4, H.short_us * 1000u);
		put32(m, DATA + 8, H.long_us * 1000u);
	} else {
		put32(m, DATA + 4, H.hz ? 1000000000u / H.hz : 0);
		put32(m, DATA + 8, H.hz ? 1000000000u / H.hz : 0);
	}

	/* handlers */
	p = m + ISR;
	isr_timer = (uint32_t)(p - m);
	EMIT(0xa1, DATA & 0xff, DATA >> 8, 0, 0);                         /* mov eax, [DATA] */
	EMIT(0x83, 0xf0, 0x01);                                           /* xor eax, 1 */
	EMIT(0xa3, DATA & 0xff, DATA >> 8, 0, 0);                         /* mov [DATA], eax */
	EMIT(0x8b, 0x04, 0x85, (DATA + 4) & 0xff, (DATA + 4) >> 8, 0, 0); /* eax = [DATA+4+eax*4] */
	EMIT(0xa3, 0x80, 0x03, 0xe0, 0xfe); /* LAPIC initial count = eax */
	p = mov_mem_imm(p, 0xfee000b0, 0);  /* EOI */
	EMIT(0xcf);                         /* iret */
	isr_irqfd = (uint32_t)(p - m);
	p = mov_mem_imm(p, 0xfee000b0, 0);
	EMIT(0xcf);
	isr_ipi = (uint32_t)(p - m);
	EMIT(0xa1, 0x20, 0x00, 0xe0, 0xfe);      /* eax = LAPIC ID */
	EMIT(0x35, 0x00, 0x00, 0x00, 0x01);      /* xor eax, 1 << 24: the other */
	EMIT(0xa3, 0x10, 0x03, 0xe0, 0xfe);      /* ICR high = destination */
	p = mov_mem_imm(p, 0xfee00300, VEC_IPI); /* ICR low: fixed, send */
	p = mov_mem_imm(p, 0xfee000b0, 0);
	EMIT(0xcf);
	isr_spur = (uint32_t)(p - m);
	EMIT(0xcf);

	/* IDT: 32-bit interrupt gates, selector 0x08 */
	for (v = 0; v < 256; v++) {
		uint32_t off = v == VEC_TIMER   ? isr_timer
		               : v == VEC_IRQFD ? isr_irqfd
		               : v == VEC_IPI   ? isr_ipi
		                                : isr_spur;
		uint64_t gate = (off & 0xffffull) | (0x08ull << 16) | (0x8eull << 40) |
		                ((uint64_t)(off >> 16) << 48);

		memcpy(m + IDT + v * 8, &gate, 8);
	}

	/* the BSP's code */
	p = m + CODE;
	EMIT(0xb0, 0xff, 0xe6, 0x21, 0xe6, 0xa1);         /* mask the PIC */
	p = mov_mem_imm(p, 0xfee000f0, 0x100 | VEC_SPUR); /* LAPIC software-enabled */
	if (H.kind == W_LAPIC || H.kind == W_MIX) {
		p = mov_mem_imm(p, 0xfee003e0, 0xb);       /* divide by 1 */
		p = mov_mem_imm(p, 0xfee00320, VEC_TIMER); /* LVT timer, one-shot */
		p = mov_mem_imm(p, 0xfee00380,
		                H.kind == W_MIX ? H.short_us * 1000u : 1000000000u / H.hz);
	} else if (H.kind == W_IRQFD) {
		/* IOAPIC pin 20: vector VEC_IRQFD, fixed, edge, to APIC ID 0 */
		p = mov_mem_imm(p, 0xfec00000, 0x10 + 2 * IRQFD_GSI);
		p = mov_mem_imm(p, 0xfec00010, VEC_IRQFD);
		p = mov_mem_imm(p, 0xfec00000, 0x11 + 2 * IRQFD_GSI);
		p = mov_mem_imm(p, 0xfec00010, 0);
	} else if (H.kind == W_IPI) {
		EMIT(0xb9, 0x00, 0x00, 0x00, 0x04);       /* ecx = 1 << 26: let the AP start */
		EMIT(0x49, 0x75, 0xfd);                   /* dec ecx; jnz */
		p = mov_mem_imm(p, 0xfee00310, 1u << 24); /* to APIC ID 1 */
		p = mov_mem_imm(p, 0xfee00300, VEC_IPI);
	}
	EMIT(0xfb, 0xf4, 0xeb, 0xfd); /* sti; hlt; jmp hlt */

	/* the AP's code (ipi): enable its LAPIC and halt */
	p = m + AP_CODE;
	EMIT(0xb0, 0xff, 0xe6, 0x21, 0xe6, 0xa1);
	p = mov_mem_imm(p, 0xfee000f0, 0x100 | VEC_SPUR);
	EMIT(0xfb, 0xf4, 0xeb, 0xfd);
}

static void set_pm(struct vcpu *v, unsigned rip, unsigned rsp)
{
	struct kvm_segment cs = {.base = 0,
	                         .limit = 0xffffffff,
	                         .selector = 0x08,
	                         .type = 0xb,
	                         .present = 1,
	                         .dpl = 0,
	                         .db = 1,
	                         .s = 1,
	                         .l = 0,
	                         .g = 1};
	struct kvm_segment ds = cs;
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	ds.selector = 0x10;
	ds.type = 0x3;
	sregs.cs = cs;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = ds;
	sregs.gdt.base = GDT;
	sregs.gdt.limit = 3 * 8 - 1;
	sregs.idt.base = IDT;
	sregs.idt.limit = 256 * 8 - 1;
	sregs.cr0 |= 1; /* PE */
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = rsp;
	regs.rflags = 0x2;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
}

static void set_real(struct vcpu *v)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.base = sregs.ds.base = sregs.es.base = sregs.ss.base = 0;
	sregs.cs.selector = sregs.ds.selector = sregs.es.selector = sregs.ss.selector = 0;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE;
	regs.rsp = STACK0;
	regs.rflags = 0x2;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
}

static void *vcpu_main(void *arg)
{
	struct vcpu *v = arg;
	char name[16];

	snprintf(name, sizeof(name), "CPU %d/KVM", v->index);
	prctl(PR_SET_NAME, name);
	pin(v->host_cpu);
	for (;;) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		fprintf(stderr, "kvmharness: vCPU %d exited to userspace, reason %u\n", v->index,
		        v->run->exit_reason);
		exit(1);
	}
	return NULL;
}

/* irqfd: signal the eventfd at hz on absolute deadlines, as a device backend would. */
static void *helper_main(void *arg)
{
	struct timespec t;
	uint64_t one = 1, period = 1000000000ull / H.hz;

	(void)arg;
	prctl(PR_SET_NAME, "kvmharness-irq");
	pin(H.helper_cpu);
	clock_gettime(CLOCK_MONOTONIC, &t);
	while (!H.stop) {
		uint64_t ns = (uint64_t)t.tv_nsec + period;

		t.tv_sec += (time_t)(ns / 1000000000ull);
		t.tv_nsec = (long)(ns % 1000000000ull);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
		if (write(H.efd, &one, sizeof(one)) == sizeof(one))
			H.signals++;
	}
	return NULL;
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec t;

	if (clock_gettime(c, &t) < 0)
		return 0;
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* One vCPU's binary statistics: name, how many values, and their values. */
struct stats {
	unsigned n;
	char name[64][64];
	unsigned size[64];
	uint64_t val[64][64];
};

static int read_stats(int fd, struct stats *s)
{
	struct kvm_stats_header h;
	size_t dsz;
	char *descs;
	unsigned i;

	memset(s, 0, sizeof(*s));
	if (pread(fd, &h, sizeof(h), 0) != sizeof(h))
		return -1;
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = calloc(h.num_desc, dsz);
	if (!descs ||
	    pread(fd, descs, dsz * h.num_desc, h.desc_offset) != (ssize_t)(dsz * h.num_desc)) {
		free(descs);
		return -1;
	}
	for (i = 0; i < h.num_desc && s->n < 64; i++) {
		struct kvm_stats_desc *d = (struct kvm_stats_desc *)(descs + i * dsz);
		unsigned k = s->n, cnt = d->size < 64 ? d->size : 64;

		if (strncmp(d->name, "halt_", 5) != 0)
			continue;
		snprintf(s->name[k], sizeof(s->name[k]), "%.*s", (int)h.name_size, d->name);
		s->size[k] = cnt;
		if (pread(fd, s->val[k], cnt * 8, h.data_offset + d->offset) != (ssize_t)(cnt * 8))
			continue;
		s->n++;
	}
	free(descs);
	return 0;
}

static long long module_param(const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/kvm/parameters/%s", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void parse(int argc, char **argv)
{
	int i;

	H.seconds = 1.0;
	H.ceiling = -1;
	H.helper_cpu = -1;
	H.vcpu_cpus[0] = H.vcpu_cpus[1] = -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			usage("a real KVM guest at a halt-poll ceiling; JSON on stdout");
		if (!v)
			usage("an option lacks its value");
		i++;
		if (!strcmp(a, "--workload"))
			H.workload = v;
		else if (!strcmp(a, "--seconds"))
			H.seconds = atof(v);
		else if (!strcmp(a, "--ceiling"))
			H.ceiling = atoll(v);
		else if (!strcmp(a, "--dump-guest"))
			H.dump = v;
		else if (!strcmp(a, "--helper-cpu"))
			H.helper_cpu = atoi(v);
		else if (!strcmp(a, "--vcpu-cpus")) {
			if (sscanf(v, "%d,%d", &H.vcpu_cpus[0], &H.vcpu_cpus[1]) < 1)
				usage("--vcpu-cpus takes C or C,C");
		} else
			usage("unknown option");
	}
	if (!H.workload)
		usage("--workload is required");
	if (H.seconds <= 0 || H.seconds > 3600)
		usage("--seconds must be in (0, 3600]");
	if (H.ceiling < -1 || H.ceiling > 0xffffffffll)
		usage("--ceiling must be 0..4294967295 ns");
	H.nvcpu = 1;
	if (sscanf(H.workload, "pit:%u", &H.hz) == 1)
		H.kind = W_PIT;
	else if (sscanf(H.workload, "lapic:%u", &H.hz) == 1)
		H.kind = W_LAPIC;
	else if (sscanf(H.workload, "irqfd:%u", &H.hz) == 1)
		H.kind = W_IRQFD;
	else if (sscanf(H.workload, "mix:%u:%u", &H.short_us, &H.long_us) == 2)
		H.kind = W_MIX;
	else if (!strcmp(H.workload, "ipi")) {
		H.kind = W_IPI;
		H.nvcpu = 2;
	} else
		usage("unknown workload");
	if ((H.kind == W_PIT && (H.hz < 20 || H.hz > 100000)) ||
	    ((H.kind == W_LAPIC || H.kind == W_IRQFD) && (H.hz < 1 || H.hz > 200000)) ||
	    (H.kind == W_MIX && (!H.short_us || !H.long_us || H.long_us > 4000000)))
		usage(
		    "workload rate out of range (pit 20..100000 Hz, lapic/irqfd 1..200000 Hz, mix "
		    "1..4000000 us)");
}

static void setup_vm(void)
{
	struct kvm_userspace_memory_region region;
	struct kvm_pit_config pit = {0};
	unsigned char *mem;
	long sz;
	int i;

	H.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (H.kvm < 0) {
		fprintf(stderr, "kvmharness: /dev/kvm: %s: no usable KVM on this machine\n",
		        strerror(errno));
		exit(EXIT_NOKVM);
	}
	H.vm = ioctl(H.kvm, KVM_CREATE_VM, 0);
	if (H.vm < 0) {
		fprintf(stderr, "kvmharness: KVM_CREATE_VM: %s: no usable KVM on this machine\n",
		        strerror(errno));
		exit(EXIT_NOKVM);
	}
	if (H.ceiling >= 0) {
		struct kvm_enable_cap cap = {.cap = KVM_CAP_HALT_POLL};

		cap.args[0] = (uint64_t)H.ceiling;
		if (ioctl(H.vm, KVM_CHECK_EXTENSION, KVM_CAP_HALT_POLL) <= 0) {
			fprintf(stderr, "kvmharness: this KVM lacks KVM_CAP_HALT_POLL (5.8+): "
			                "--ceiling cannot be applied\n");
			exit(1);
		}
		if (ioctl(H.vm, KVM_ENABLE_CAP, &cap) < 0)
			die("KVM_ENABLE_CAP(KVM_CAP_HALT_POLL)");
	}
	if (ioctl(H.vm, KVM_CREATE_IRQCHIP, 0) < 0)
		die("KVM_CREATE_IRQCHIP");
	if (H.kind == W_PIT && ioctl(H.vm, KVM_CREATE_PIT2, &pit) < 0)
		die("KVM_CREATE_PIT2");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	if (H.kind == W_PIT)
		code_pit(mem);
	else
		code_pm(mem);
	region = (struct kvm_userspace_memory_region){
	    .slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE, .userspace_addr = (__u64)mem};
	if (ioctl(H.vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	if (H.kind == W_IRQFD) {
		struct kvm_irqfd irqfd = {.gsi = IRQFD_GSI};

		H.efd = eventfd(0, EFD_CLOEXEC);
		if (H.efd < 0)
			die("eventfd");
		irqfd.fd = (uint32_t)H.efd;
		if (ioctl(H.vm, KVM_IRQFD, &irqfd) < 0)
			die("KVM_IRQFD");
	}
	sz = ioctl(H.kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz <= 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	for (i = 0; i < H.nvcpu; i++) {
		struct vcpu *v = &H.v[i];

		v->index = i;
		v->host_cpu = H.vcpu_cpus[i];
		v->fd = ioctl(H.vm, KVM_CREATE_VCPU, i);
		if (v->fd < 0)
			die("KVM_CREATE_VCPU");
		v->run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED)
			die("mmap kvm_run");
		v->stats_fd = ioctl(v->fd, KVM_GET_STATS_FD, 0);
		if (H.kind == W_PIT)
			set_real(v);
		else
			set_pm(v, i ? AP_CODE : CODE, i ? STACK1 : STACK0);
		if (i) {
			struct kvm_mp_state mp = {.mp_state = KVM_MP_STATE_RUNNABLE};

			if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
				die("KVM_SET_MP_STATE");
		}
	}
}

static void print_stats(const struct stats *a, const struct stats *b)
{
	unsigned i, k;

	printf("{");
	for (i = 0; i < b->n; i++) {
		const uint64_t *before = NULL;

		for (k = 0; k < a->n; k++)
			if (!strcmp(a->name[k], b->name[i]))
				before = a->val[k];
		printf("%s\"%s\": ", i ? ", " : "", b->name[i]);
		if (b->size[i] > 1)
			printf("[");
		for (k = 0; k < b->size[i]; k++)
			printf("%s%llu", k ? ", " : "",
			       (unsigned long long)(b->val[i][k] - (before ? before[k] : 0)));
		if (b->size[i] > 1)
			printf("]");
	}
	printf("}");
}

int main(int argc, char **argv)
{
	static struct stats s0[MAX_VCPUS], s1[MAX_VCPUS];
	uint64_t cpu0[MAX_VCPUS], cpu1[MAX_VCPUS], w0, w1, h0 = 0, h1 = 0;
	struct timespec ts;
	struct utsname u;
	int i;

	parse(argc, argv);
	if (H.dump) {
		/* the hand-assembled guest, for a disassembler: no KVM needed */
		static unsigned char img[MEM_SIZE];
		FILE *f = fopen(H.dump, "wb");

		if (H.kind == W_PIT)
			code_pit(img);
		else
			code_pm(img);
		if (!f || fwrite(img, 1, sizeof(img), f) != sizeof(img) || fclose(f) != 0)
			die(H.dump);
		return 0;
	}
	setup_vm();
	for (i = 0; i < H.nvcpu; i++)
		if (pthread_create(&H.v[i].th, NULL, vcpu_main, &H.v[i]) != 0 ||
		    pthread_getcpuclockid(H.v[i].th, &H.v[i].clock) != 0)
			die("starting a vCPU thread");
	if (H.kind == W_IRQFD && (pthread_create(&H.helper, NULL, helper_main, NULL) != 0 ||
	                          pthread_getcpuclockid(H.helper, &H.helper_clock) != 0))
		die("starting the helper thread");
	/* let the guest set itself up, then measure a window */
	ts = (struct timespec){0, 50000000};
	nanosleep(&ts, NULL);
	w0 = now_ns(CLOCK_MONOTONIC);
	for (i = 0; i < H.nvcpu; i++) {
		cpu0[i] = now_ns(H.v[i].clock);
		if (H.v[i].stats_fd >= 0)
			read_stats(H.v[i].stats_fd, &s0[i]);
	}
	if (H.kind == W_IRQFD)
		h0 = now_ns(H.helper_clock);
	ts.tv_sec = (time_t)H.seconds;
	ts.tv_nsec = (long)((H.seconds - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
	for (i = 0; i < H.nvcpu; i++) {
		cpu1[i] = now_ns(H.v[i].clock);
		if (H.v[i].stats_fd >= 0)
			read_stats(H.v[i].stats_fd, &s1[i]);
	}
	if (H.kind == W_IRQFD)
		h1 = now_ns(H.helper_clock);
	w1 = now_ns(CLOCK_MONOTONIC);
	H.stop = 1;

	uname(&u);
	printf("{\"harness\": 1, \"workload\": \"%s\", \"ceiling_ns\": ", H.workload);
	if (H.ceiling >= 0)
		printf("%lld", H.ceiling);
	else
		printf("null");
	printf(", \"host_release\": \"%s\", \"wall_ns\": %llu,\n", u.release,
	       (unsigned long long)(w1 - w0));
	printf(" \"module\": {\"halt_poll_ns\": %lld, \"halt_poll_ns_grow\": %lld, "
	       "\"halt_poll_ns_grow_start\": %lld, \"halt_poll_ns_shrink\": %lld},\n",
	       module_param("halt_poll_ns"), module_param("halt_poll_ns_grow"),
	       module_param("halt_poll_ns_grow_start"), module_param("halt_poll_ns_shrink"));
	printf(" \"vcpus\": [");
	for (i = 0; i < H.nvcpu; i++) {
		printf("%s\n  {\"vcpu\": %d, \"host_cpu\": %d, \"cpu_ns\": %llu, \"stats\": ",
		       i ? "," : "", i, H.v[i].host_cpu, (unsigned long long)(cpu1[i] - cpu0[i]));
		print_stats(&s0[i], &s1[i]);
		printf("}");
	}
	printf("]");
	if (H.kind == W_IRQFD)
		printf(",\n \"helper\": {\"host_cpu\": %d, \"cpu_ns\": %llu, \"signals\": %llu}",
		       H.helper_cpu, (unsigned long long)(h1 - h0), H.signals);
	printf("}\n");
	fflush(stdout);
	_exit(0);
}
