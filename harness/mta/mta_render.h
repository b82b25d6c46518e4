/*++
 * NAME
 *	mta_render 3h
 * SUMMARY
 *	render MTA configs from templates and overrides
 * SYNOPSIS
 *	#include "mta_render.h"
 * DESCRIPTION
 *	mta_render_fill() replaces each {{NAME}} (NAME in [A-Z0-9_]) with
 *	its value; an unknown NAME is an error, so a template cannot be
 *	half rendered. mta_render_param() sets a Postfix main.cf
 *	parameter: the line "key = ..." and its continuation lines are
 *	replaced in place, or "key = value" is appended.
 *	mta_render_macro() does the same for an Exim macro "NAME = ...".
 *	Strings are malloc'd; the caller frees them.
 * DIAGNOSTICS
 *	0, or -1 with err filled.
 *--*/
#ifndef MTA_RENDER_H
#define MTA_RENDER_H

#include <stddef.h>

#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MTA_RENDER_VARS_MAX 32
#define MTA_RENDER_FILE_MAX (1024 * 1024) /* a template, a user's config */

struct mta_vars {
    const char *name[MTA_RENDER_VARS_MAX];
    const char *value[MTA_RENDER_VARS_MAX];
    size_t n;
};

/* mta_vars_set - add or replace one variable (pointers are borrowed) */
int mta_vars_set(struct mta_vars *vars, const char *name, const char *value);

/* mta_render_fill - placeholders filled into a new string */
/*
 * A growing string, NUL-terminated (the rendered configs and the user
 * config rewrites build theirs with it): at most MTA_RENDER_TEXT_MAX bytes.
 */
#define MTA_RENDER_TEXT_MAX (8 * MTA_RENDER_FILE_MAX)

struct mta_text {
    char *s;
    size_t len;
    size_t cap;
};

/* mta_text_add - len bytes of s appended; 0, or -1 (out of memory, or past the cap) */
int mta_text_add(struct mta_text *t, const char *s, size_t len);

int mta_render_fill(const char *text, const struct mta_vars *vars, char **out,
                    struct smtp_error *err);

/* Whose a file is: says how it is named in an error, and the error's class. */
enum mta_render_whose {
    MTA_RENDER_TEMPLATE,  /* relaylab's: "cannot read template PATH", SMTP_ERR_INTERNAL */
    MTA_RENDER_USER_FILE, /* the user named it: "cannot read PATH", SMTP_ERR_USAGE */
};

/* mta_render_read - a whole file of at most MTA_RENDER_FILE_MAX bytes, malloc'd; NULL with err */
char *mta_render_read(const char *path, enum mta_render_whose whose, struct smtp_error *err);

/* mta_render_load - read dir/name and fill it */
int mta_render_load(const char *dir, const char *name, const struct mta_vars *vars, char **out,
                    struct smtp_error *err);

/* mta_render_param - set a main.cf parameter in *cf */
int mta_render_param(char **cf, const char *key, const char *value, struct smtp_error *err);

/* mta_render_macro - set an Exim macro in *cf */
int mta_render_macro(char **cf, const char *name, const char *value, struct smtp_error *err);

/* mta_render_param_get - the value of key in cf (first line only) into buf; 0 if found */
int mta_render_param_get(const char *cf, const char *key, char *buf, size_t size);

/* mta_render_write - write text to path atomically (temp file, rename) */
int mta_render_write(const char *path, const char *text, int mode, struct smtp_error *err);

#ifdef __cplusplus
}
#endif
#endif
