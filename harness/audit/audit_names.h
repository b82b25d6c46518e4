/*++
 * NAME
 *	audit_names 3h
 * SUMMARY
 *	what a running config calls its own, and whom it trusts
 * SYNOPSIS
 *	#include "audit_names.h"
 * DESCRIPTION
 *	audit_names_load() asks a started instance's MTA for its names:
 *	Postfix through its own postconf (every default and $name expanded
 *	as Postfix does), Exim by reading the main section of the config it runs
 *	(primary_hostname, qualify_domain, named domain and host lists),
 *	never expanding it: an expansion in a hostile config would run here,
 *	outside the sandbox, as root. It keeps:
 *	the server's names and the literal domains of its domain lists (the
 *	relay-attempt battery is built from them); the networks it trusts,
 *	each with the line that names it (Postfix: mynetworks, cidr tables
 *	of check_client_access with OK, smtpd_authorized_xclient_hosts;
 *	Exim: every hostlist). Files a config names are read only from its
 *	own directory and the instance's, regular files only, never blocking.
 *--*/
#ifndef AUDIT_NAMES_H
#define AUDIT_NAMES_H

#include <stddef.h>

#include "audit_net.h"
#include "mta.h"
#include "smtp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AUDIT_NAME_MAX 256   /* one domain or host name */
#define AUDIT_DOMAINS_MAX 48 /* the config's own domains kept for the battery */
#define AUDIT_TRUST_MAX 128  /* trusted networks kept */
#define AUDIT_LISTS_MAX 8    /* domain lists an oracle asks */
#define AUDIT_WHERE_MAX 600

struct audit_trust {
    struct audit_net net;
    int xclient;                 /* smtpd_authorized_xclient_hosts, not mynetworks */
    char where[AUDIT_WHERE_MAX]; /* "main.cf:12: mynetworks" (sanitised) */
};

struct audit_names {
    enum mta_kind kind;
    char hostname[AUDIT_NAME_MAX];
    char domains[AUDIT_DOMAINS_MAX][AUDIT_NAME_MAX]; /* local first, lower case */
    size_t ndomains;
    struct audit_trust trust[AUDIT_TRUST_MAX];
    size_t ntrust;
    /* The config's domain lists: Postfix's expanded values, Exim's named lists (name, text). */
    char *list[AUDIT_LISTS_MAX];
    char list_name[AUDIT_LISTS_MAX][64];
    int list_parent[AUDIT_LISTS_MAX]; /* Postfix: in parent_domain_matches_subdomains */
    size_t nlists;
    char server_addr[64];
    char config_dir[400];  /* Postfix: the instance's config directory */
    char config[400];      /* Exim: the config it runs */
    char user_config[400]; /* the user's file the lines are counted in */
};

/* audit_names_load - from a started instance; user_config is the file the user gave (lines) */
int audit_names_load(const struct mta_instance *inst, const char *user_config,
                     struct audit_names *n, struct smtp_error *err);

void audit_names_free(struct audit_names *n);

/* audit_names_trusted - the trusted network (not xclient) holding addr, or NULL */
const struct audit_trust *audit_names_trusted(const struct audit_names *n, const char *addr);

/* audit_names_own - 1 if domain (case-blind, a trailing dot aside) is one the config names its own */
int audit_names_own(const struct audit_names *n, const char *domain);

/* audit_names_domain_ok - 1 if text is a plain domain or [IPv4] / [IPv6:...] literal */
int audit_names_domain_ok(const char *text);

#ifdef __cplusplus
}
#endif
#endif
