/* The version and source description, from the header the build writes (cmake/version.cmake). */
#include "hpsim/version.h"
#include "hpsim_version_gen.h"

const char *hp_version(void)
{
	return HPSIM_VERSION;
}

const char *hp_git_describe(void)
{
	return HPSIM_GIT_DESCRIBE;
}
