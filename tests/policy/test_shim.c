/*
 * hp_shim_begin() sets the shim's fields one by one instead of clearing the
 * whole struct: it must still leave every byte as a full clear would, or a
 * halt would see state left over from the one before.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hpsim_shim.h"

/* After a halt's use and a new begin, the shim is a cleared one with the begin's values. */
static void test_begin_sets_every_byte(void **unused)
{
	struct hp_shim got, want;

	(void)unused;
	/* every field and any padding byte of the previous halt's shim non-zero */
	memset(&got, 0xa5, sizeof(got));
	hp_shim_begin(&got, 1000, 5000, 70, 300);
	memset(&want, 0, sizeof(want));
	want.now = 1000;
	want.wake_ns = 5000;
	want.poll_visible_ns = 5070;
	want.relax_stop_ns = 1000;
	want.resume_cost_ns = 300;
	assert_memory_equal(&got, &want, sizeof(got));
	assert_ptr_equal(hp_shim, &got);
}

/* The same with a different fill, so that no field can match by accident. */
static void test_begin_after_other_fill(void **unused)
{
	struct hp_shim got;
	static const unsigned char zero[sizeof(struct hp_shim)];

	(void)unused;
	memset(&got, 0xff, sizeof(got));
	hp_shim_begin(&got, 0, 0, 0, 0);
	assert_memory_equal(&got, zero, sizeof(got));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_begin_sets_every_byte),
	    cmocka_unit_test(test_begin_after_other_fill),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
