/*++
 * NAME
 *	lint_pftable 3h
 * SUMMARY
 *	a Postfix lookup table's source text, for lint
 * SYNOPSIS
 *	#include "lint_pftable.h"
 * DESCRIPTION
 *	lint_pftable_load() reads the table a config names as TYPE:PATH
 *	(postconf(5), DATABASE_README) from its source text, when it lies
 *	in the config directory: PATH below config_directory (the value
 *	main.cf gives it, default /etc/postfix) is taken below the
 *	directory lint was given, as is a PATH below that directory when
 *	it was given as an absolute path; any other place is not read.
 *	Read as:
 *
 *	hash, btree, lmdb, dbm, cdb, texthash: "key value" lines (the
 *	source file beside the .db that postmap(1) built);
 *	cidr: "network value" (cidr_table(5));
 *	regexp, pcre: "/pattern/flags value" (regexp_table(5),
 *	pcre_table(5)); "if"/"endif" lines are skipped, "!/pattern/"
 *	entries marked negated.
 *
 *	lint_pftable_accepts() says whether an access(5) action accepts:
 *	OK, an all-numerical value ("treated as OK"), or the restriction
 *	permit.
 * DIAGNOSTICS
 *	lint_pftable_load(): 0 loaded; 1 not read (another type, or a file
 *	outside the directory: why in err->msg, for an info finding); -1
 *	out of memory.
 *--*/
#ifndef LINT_PFTABLE_H
#define LINT_PFTABLE_H

#include "lint.h"

#ifdef __cplusplus
extern "C" {
#endif

enum lint_pftable_kind {
    LINT_PFTABLE_KEYED, /* hash, lmdb, texthash, ...: exact keys */
    LINT_PFTABLE_CIDR,
    LINT_PFTABLE_REGEXP, /* regexp and pcre */
};

struct lint_pftable_entry {
    const char *key; /* a regexp's pattern without its delimiters */
    size_t key_len;
    const char *value;
    size_t value_len;
    int negated; /* "!/pattern/" */
    const struct lint_line *where;
};

struct lint_pftable {
    enum lint_pftable_kind kind;
    char type[16];             /* as written: "hash", "pcre" */
    char shown[LINT_PATH_MAX]; /* DIR/rel, for findings */
    struct lint_text text;
    struct lint_lines lines;
    struct lint_pftable_entry *v;
    size_t n;
};

/* lint_pftable_load - spec "type:path", confdir the config's config_directory; see above */
int lint_pftable_load(int dirfd, const char *dir_shown, const char *confdir, const char *spec,
                      size_t spec_len, struct lint_pftable *t, struct smtp_error *err);

void lint_pftable_free(struct lint_pftable *t);

/* lint_pftable_accepts - the access(5) action value[0..n) accepts */
int lint_pftable_accepts(const char *value, size_t n);

#ifdef __cplusplus
}
#endif
#endif
