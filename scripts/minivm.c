/*
 * minivm: the smallest KVM guest that halts and is woken by a timer, for
 * recording host-side halt-polling traces (traces/host-*.dat).
 *
 * One vCPU in real mode with the in-kernel PIC and PIT: the guest programs
 * the PIT to interrupt at HZ and loops on HLT; the interrupt handler only
 * acknowledges the PIC. Every halt goes through the host's kvm_vcpu_halt()
 * (kvm_exit HLT, kvm_vcpu_wakeup, kvm_entry), with no exit to userspace. The
 * vCPU thread is named "CPU 0/KVM" as QEMU names its threads.
 *
 * build: cc -O2 -o minivm scripts/minivm.c
 * usage: minivm [SECONDS] [HZ]          (needs /dev/kvm)
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE 0x10000
#define CODE     0x1000
#define ISR      0x1100

static int vcpu_fd;
static struct kvm_run *run;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Real-mode guest code (hand-assembled, 16-bit). */
static size_t guest_code(unsigned char *m, unsigned divisor)
{
	unsigned char *p = m + CODE;
	const unsigned char prologue[] = {
	    0xfa,                               /* cli */
	    0xc7, 0x06, 0x20, 0x00, 0x00, 0x11, /* mov word [0x20], ISR (IVT entry 8: offset) */
	    0xc7, 0x06, 0x22, 0x00, 0x00, 0x00, /* mov word [0x22], 0 (segment) */
	    0xb0, 0x11, 0xe6, 0x20,             /* PIC ICW1: edge, cascade, ICW4 */
	    0xb0, 0x08, 0xe6, 0x21,             /* ICW2: vectors from 8 */
	    0xb0, 0x04, 0xe6, 0x21,             /* ICW3 */
	    0xb0, 0x01, 0xe6, 0x21,             /* ICW4: 8086 mode */
	    0xb0, 0xfe, 0xe6, 0x21,             /* mask all but IRQ0 */
	    0xb0, 0x34, 0xe6, 0x43,             /* PIT channel 0, lo/hi, rate generator */
	};
	const unsigned char loop[] = {
	    0xfb,       /* sti */
	    0xf4,       /* hlt */
	    0xeb, 0xfd, /* jmp hlt */
	};
	const unsigned char isr[] = {
	    0xb0, 0x20, 0xe6, 0x20, /* EOI to the PIC */
	    0xcf,                   /* iret */
	};

	memcpy(p, prologue, sizeof(prologue));
	p += sizeof(prologue);
	*p++ = 0xb0; /* mov al, low byte; out 0x40, al */
	*p++ = (unsigned char)(divisor & 0xff);
	*p++ = 0xe6;
	*p++ = 0x40;
	*p++ = 0xb0; /* high byte */
	*p++ = (unsigned char)(divisor >> 8);
	*p++ = 0xe6;
	*p++ = 0x40;
	memcpy(p, loop, sizeof(loop));
	memcpy(m + ISR, isr, sizeof(isr));
	return (size_t)(p - m);
}

static void *vcpu_thread(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "CPU 0/KVM");
	for (;;) {
		if (ioctl(vcpu_fd, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		fprintf(stderr, "minivm: unexpected exit to userspace, reason %u\n",
		        run->exit_reason);
		exit(1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	unsigned hz = argc > 2 ? (unsigned)atoi(argv[2]) : 1000;
	struct kvm_userspace_memory_region region;
	struct kvm_pit_config pit = {0};
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct timespec ts;
	unsigned char *mem;
	pthread_t th;
	int kvm, vm;
	long sz;

	if (hz < 20 || hz > 100000)
		hz = 1000;
	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		die("KVM_CREATE_IRQCHIP");
	if (ioctl(vm, KVM_CREATE_PIT2, &pit) < 0)
		die("KVM_CREATE_PIT2");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	guest_code(mem, 1193182u / hz);
	region = (struct kvm_userspace_memory_region){
	    .slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE, .userspace_addr = (__u64)mem};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	vcpu_fd = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu_fd < 0)
		die("KVM_CREATE_VCPU");
	sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = sregs.es.base = sregs.ss.base = 0;
	sregs.ds.selector = sregs.es.selector = sregs.ss.selector = 0;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE;
	regs.rsp = 0x8000;
	regs.rflags = 0x2;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
	if (pthread_create(&th, NULL, vcpu_thread, NULL) != 0)
		die("pthread_create");
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
	printf("minivm: ran %.2f s at %u Hz\n", seconds, hz);
	return 0;
}
