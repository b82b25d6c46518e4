/*++
 * NAME
 *	template 3
 * SUMMARY
 *	where relaylab's templates are: configs, report page, stylesheet
 * DESCRIPTION
 *	See template.h.
 *--*/
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "template.h"

#ifndef RELAYLAB_TEMPLATE_RELATIVE
#error "CMakeLists.txt defines RELAYLAB_TEMPLATE_RELATIVE: bin/ to the installed templates"
#endif
#ifndef RELAYLAB_TEMPLATE_SOURCE
#error "CMakeLists.txt defines RELAYLAB_TEMPLATE_SOURCE: the source tree's harness/"
#endif

/* is_dir - 0 if path is a directory, else errno */

static int is_dir(const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0)
        return errno;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

/* tried - PATH appended to why, ", " between; its reason too unless it is simply not there */

static void tried(char *why, size_t size, const char *path, int e)
{
    size_t used = strlen(why);

    if (used < size)
        snprintf(why + used, size - used, "%s%s%s%s", used ? ", " : "", path,
                 e == ENOENT ? "" : ": ", e == ENOENT ? "" : strerror(e));
}

/* try_dir - 0 if buf (len bytes, as snprintf said) is a directory, else -1 and it is in why */

static int try_dir(const char *buf, int len, size_t size, char *why, size_t why_size)
{
    int e = len < 0 || (size_t)len >= size ? ENAMETOOLONG : is_dir(buf);

    if (e == 0)
        return 0;
    tried(why, why_size, buf, e);
    return -1;
}

/* exe_dir - the running executable's directory into buf; 0 or -1 */

static int exe_dir(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    char *slash;

    if (n <= 0 || (size_t)n >= size - 1)
        return -1;
    buf[n] = 0;
    if ((slash = strrchr(buf, '/')) == NULL)
        return -1;
    *slash = 0;
    return 0;
}

/* template_dir - the first of the places in template.h that is a directory */

int template_dir(const char *kind, char *buf, size_t size, char *why, size_t why_size)
{
    const char *env = getenv(TEMPLATE_ENV);
    char exe[PATH_MAX];
    int e;

    why[0] = 0;
    if (env && *env) {
        if ((size_t)snprintf(buf, size, "%s/%s", env, kind) >= size) {
            snprintf(why, why_size, "no %s templates: %s=%s: path too long", kind, TEMPLATE_ENV,
                     env);
            return -1;
        }
        if ((e = is_dir(buf)) != 0) {
            snprintf(why, why_size, "no %s templates: %s=%s, but %s: %s", kind, TEMPLATE_ENV, env,
                     buf, strerror(e));
            return -1;
        }
        return 0;
    }
    if (exe_dir(exe, sizeof(exe)) == 0 &&
        try_dir(buf, snprintf(buf, size, "%s/%s/%s", exe, RELAYLAB_TEMPLATE_RELATIVE, kind), size,
                why, why_size) == 0)
        return 0;
    if (try_dir(buf, snprintf(buf, size, "%s/%s/templates", RELAYLAB_TEMPLATE_SOURCE, kind), size,
                why, why_size) == 0)
        return 0;
    /* What was tried, and how to point at the right place. */
    {
        char list[1024];

        snprintf(list, sizeof(list), "%s", why);
        snprintf(why, why_size, "no %s templates: not in %s (set %s)", kind, list, TEMPLATE_ENV);
    }
    return -1;
}

/* template_scenarios - see template.h */

int template_scenarios(const char *name, char *buf, size_t size)
{
    char exe[PATH_MAX];
    char why[64];

    why[0] = 0;
    if (try_dir(buf, snprintf(buf, size, "scenarios/%s", name), size, why, sizeof(why)) == 0)
        return 0;
    if (exe_dir(exe, sizeof(exe)) == 0 &&
        try_dir(buf,
                snprintf(buf, size, "%s/%s/../scenarios/%s", exe, RELAYLAB_TEMPLATE_RELATIVE, name),
                size, why, sizeof(why)) == 0)
        return 0;
    if (try_dir(buf, snprintf(buf, size, "%s/../scenarios/%s", RELAYLAB_TEMPLATE_SOURCE, name),
                size, why, sizeof(why)) == 0) {
        char real[PATH_MAX];

        if (realpath(buf, real) && strlen(real) < size)
            memcpy(buf, real, strlen(real) + 1); /* without the "harness/.." */
        return 0;
    }
    snprintf(buf, size, "scenarios/%s", name); /* the error then names the usual place */
    return -1;
}
