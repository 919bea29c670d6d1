/* What this hpsim is: its version, the source it was built from, the kernels it models. */
#ifndef HPSIM_VERSION_H
#define HPSIM_VERSION_H

/* The release version, e.g. "0.2.0". */
const char *hp_version(void);

/* `git describe` of the tree it was built from ("none" outside a checkout). */
const char *hp_git_describe(void);

#endif
