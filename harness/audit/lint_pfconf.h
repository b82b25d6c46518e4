/*++
 * NAME
 *	lint_pfconf 3h
 * SUMMARY
 *	a Postfix config as lint reads it: parameters, services, expansion
 * SYNOPSIS
 *	#include "lint_pfconf.h"
 * DESCRIPTION
 *	lint_pfconf_open() reads DIR/main.cf (required) and DIR/master.cf
 *	(optional: without it, one "smtp inet ... smtpd" service) through
 *	lint_read(). main.cf's logical lines (a line starting with white
 *	space continues the one before, postconf(5)) are "name = value",
 *	the last one winning; master.cf's are services (master(5)) whose
 *	"-o name=value" overrides apply to that service only.
 *
 *	lint_pfconf_get() gives a parameter's value as the service being
 *	linted (cf->svc) sees it: its override, else main.cf, else
 *	Postfix's default for the few parameters lint evaluates (those of
 *	Postfix 3.x, with compatibility_level below 2 where that changes
 *	them), with $name, ${name}, $(name), ${name?text} and ${name:text}
 *	expanded (postconf(5), "parameter expansion"). Where a value is
 *	one reference ("$mua_restrictions"), its origin is that
 *	parameter's line.
 *
 *	lint_pfconf_words() splits a list value on commas and white
 *	space, in place.
 *--*/
#ifndef LINT_PFCONF_H
#define LINT_PFCONF_H

#include "lint.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LINT_PF_VALUE_MAX 8192 /* an expanded value; longer ones are cut */
#define LINT_PF_WORDS_MAX 256  /* words of one list */
#define LINT_PF_SERVICES_MAX 128
#define LINT_PF_OVERRIDES_MAX 64    /* -o of one service */
#define LINT_PF_DEPTH_MAX 16        /* nested $name expansions */
#define LINT_PF_EXPANSIONS_MAX 4096 /* expansions for one value, all levels */

struct lint_pfparam {
    const char *name, *value;
    const struct lint_line *where;
};

struct lint_pfservice {
    const char *name, *type, *command;
    const struct lint_line *where;
    struct lint_pfparam o[LINT_PF_OVERRIDES_MAX];
    struct lint_line o_where[LINT_PF_OVERRIDES_MAX]; /* each -o's own physical line */
    size_t no;
};

struct lint_pfconf {
    int dirfd;
    const char *dir; /* as given */
    char main_shown[LINT_PATH_MAX], master_shown[LINT_PATH_MAX];
    struct lint_text main_t, master_t;
    struct lint_lines main_l, master_l;
    int have_master;
    struct lint_pfparam *params;
    size_t nparams;
    struct lint_pfservice *svcs;
    size_t nsvcs;
    const struct lint_pfservice *svc; /* the service being linted, or NULL: main.cf */
    int compat;                       /* compatibility_level's major number */
    char confdir[LINT_PATH_MAX];      /* config_directory, expanded */
};

/* A value and where it is set. */
struct lint_pfvalue {
    const char *name;
    const char *raw;               /* as written (Postfix's default when unset) */
    char text[LINT_PF_VALUE_MAX];  /* expanded */
    const char *file;              /* shown; main.cf for a default */
    const struct lint_line *where; /* NULL: Postfix's default */
    int override;                  /* set by -o in master.cf */
    int set;                       /* set in main.cf or by -o */
};

/* lint_pfconf_open - see above; 0, or -1 (err: main.cf unreadable, out of memory) */
int lint_pfconf_open(struct lint_pfconf *cf, const char *dir, struct smtp_error *err);

void lint_pfconf_close(struct lint_pfconf *cf);

/* lint_pfconf_get - name's value as cf->svc sees it */
void lint_pfconf_get(const struct lint_pfconf *cf, const char *name, struct lint_pfvalue *v);

/* lint_pfconf_yes - name is "yes" as cf->svc sees it */
int lint_pfconf_yes(const struct lint_pfconf *cf, const char *name);

struct lint_pfword {
    const char *s;
    size_t n;
};

/* lint_pfconf_words - text's words (split on ", \t\n"); how many, at most max */
size_t lint_pfconf_words(const char *text, struct lint_pfword *w, size_t max);

/* lint_pfconf_port - the TCP port a smtpd service listens on ("submission": 587), or 0 */
int lint_pfconf_port(const struct lint_pfservice *s);

#ifdef __cplusplus
}
#endif
#endif
