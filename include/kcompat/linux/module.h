/* kcompat: module parameters are plain globals; the registry describes them. */
#ifndef KCOMPAT_LINUX_MODULE_H
#define KCOMPAT_LINUX_MODULE_H

#define module_param(name, type, perm)
#define module_param_named(name, var, type, perm)
#define MODULE_PARM_DESC(name, desc)
#define EXPORT_SYMBOL_GPL(sym)
#define EXPORT_SYMBOL(sym)
#define MODULE_AUTHOR(x)
#define MODULE_LICENSE(x)
#define MODULE_DESCRIPTION(x)
/* referenced so that the init function counts as used */
#define postcore_initcall(fn) static int (*const hp_initcall_##fn)(void) __attribute__((used)) = fn
#define module_init(fn)
#define module_exit(fn)

#endif
